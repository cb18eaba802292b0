import type { IncomingMessage } from 'node:http';
import { ClientIpResolver } from '../api/client-ip.js';

/**
 * A request as the frameworks hand it over: Node's `IncomingMessage`, an
 * Express `Request` (which is one), or a Fastify `FastifyRequest` (which
 * carries one as `raw`).
 */
export type AnyRequest = IncomingMessage | { raw: IncomingMessage };

export function rawRequest(req: AnyRequest): IncomingMessage {
  return 'raw' in req && typeof req.raw === 'object' && req.raw !== null && 'socket' in req.raw ? req.raw : (req as IncomingMessage);
}

/**
 * The client address of a request, Vigil's rule: the socket's peer address,
 * unless that peer is one of `trustedProxies` (addresses or CIDRs, as in
 * `server.trustedProxies`) — then the right-most untrusted hop of
 * `X-Forwarded-For` (or `X-Real-IP`). Framework "trust proxy" settings are
 * not consulted, so the app and Vigil agree on who the client is.
 */
export class RequestIp {
  private readonly resolver: ClientIpResolver;

  constructor(trustedProxies: readonly string[] = []) {
    this.resolver = new ClientIpResolver(trustedProxies);
  }

  of(req: AnyRequest): string | undefined {
    return this.resolver.resolve(rawRequest(req));
  }
}
