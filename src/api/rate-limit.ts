import type { FastifyRequest } from 'fastify';
import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { VigilMetrics } from '../metrics/registry.js';
import type { ClientIpResolver } from './client-ip.js';
import type { ServerConfig } from './server-config.js';

type RateLimitConfig = ServerConfig['rateLimit'];

/** Error thrown for a request over its limit; the API's error handler answers 429 with this code. */
export class RateLimitedError extends Error {
  readonly statusCode = 429;
  readonly code = 'VIGIL_E_RATE_LIMITED';
}

/**
 * Who a request counts against: the token's name (set by the auth hook, which
 * runs first), the enforcement point, or — token-less loopback requests — the
 * client address. One budget per scope.
 */
export function rateLimitKey(request: FastifyRequest, clientIps: ClientIpResolver): string {
  const scope = request.routeOptions.config.scope ?? 'none';
  const r = request as FastifyRequest & { principal?: string; enforcementPoint?: string };
  if (r.enforcementPoint !== undefined) return `${scope}|point:${r.enforcementPoint}`;
  if (r.principal !== undefined && r.principal !== 'loopback') return `${scope}|token:${r.principal}`;
  return `${scope}|ip:${clientIps.resolve(request.raw) ?? 'unknown'}`;
}

/**
 * @fastify/rate-limit settings: per principal and scope, limits from
 * `server.rateLimit`, 429 + Retry-After with VIGIL_E_RATE_LIMITED, each
 * refusal counted in vigil_api_rate_limited_total{scope}. Routes without a
 * scope (health, the index) are not limited.
 */
export function rateLimitOptions(config: RateLimitConfig, clientIps: ClientIpResolver, metrics: VigilMetrics): RateLimitPluginOptions {
  return {
    global: true,
    hook: 'onRequest',
    timeWindow: config.windowSeconds * 1000,
    allowList: (request) => request.routeOptions.config.scope === undefined,
    keyGenerator: (request) => rateLimitKey(request, clientIps),
    max: (request) => {
      const scope = request.routeOptions.config.scope;
      return scope === 'ingest' ? config.ingest : scope === 'admin' ? config.admin : config.read;
    },
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    onExceeded: (request) => metrics.apiRateLimited.inc({ scope: request.routeOptions.config.scope ?? 'none' }),
    errorResponseBuilder: (_request, context) =>
      new RateLimitedError(`rate limit of ${context.max} requests per ${config.windowSeconds} s exceeded; retry in ${context.after}`),
  };
}
