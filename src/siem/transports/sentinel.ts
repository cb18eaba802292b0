import { gzipSync } from 'node:zlib';
import type { SentinelDestination } from '../destination-types.js';
import { DeliveryError } from '../errors.js';
import { formatSentinelBody } from '../formatters/sentinel.js';
import type { SiemRecord } from '../record.js';
import type { SiemTransport } from '../transport.js';
import { checkStatus, httpPost, type TlsClientOptions } from './http-client.js';
import { trimTrailingSlashes } from '../../core/trim-trailing-slashes.js';

export const LOGS_INGESTION_API_VERSION = '2023-01-01';
/** Renew the token this long before it expires. */
const TOKEN_SKEW_MS = 5 * 60 * 1000;

/**
 * Azure Monitor Logs Ingestion API (what Microsoft Sentinel reads custom
 * logs through): POST {endpoint}/dataCollectionRules/{dcr}/streams/{stream}
 * ?api-version=2023-01-01, a gzip'd JSON array, `Authorization: Bearer`
 * with a token from the OAuth2 client-credentials flow, cached until
 * shortly before it expires (and dropped on a 401).
 *
 * The legacy HTTP Data Collector API (SharedKey signature) is not
 * implemented: Microsoft retires it in September 2026.
 */
export class SentinelTransport implements SiemTransport {
  private token: { value: string; expiresAt: number } | undefined;
  private readonly ingestUrl: string;

  constructor(
    private readonly config: SentinelDestination,
    private readonly tls: TlsClientOptions,
    private readonly now: () => number = Date.now,
  ) {
    const base = trimTrailingSlashes(config.endpoint);
    this.ingestUrl = `${base}/dataCollectionRules/${encodeURIComponent(config.dcrImmutableId)}/streams/${encodeURIComponent(config.streamName)}?api-version=${LOGS_INGESTION_API_VERSION}`;
  }

  async send(records: readonly SiemRecord[], signal: AbortSignal): Promise<void> {
    const token = await this.accessToken(signal);
    const json = formatSentinelBody(records);
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    if (this.config.gzip) headers['Content-Encoding'] = 'gzip';
    const answer = await httpPost({
      url: this.ingestUrl,
      headers,
      body: this.config.gzip ? gzipSync(json) : json,
      timeoutMs: this.config.timeoutSeconds * 1000,
      tls: this.tls,
      signal,
    });
    if (answer.status === 401) this.token = undefined;
    checkStatus(answer, 'Logs Ingestion API');
  }

  async close(): Promise<void> {}

  private async accessToken(signal: AbortSignal): Promise<string> {
    if (this.token !== undefined && this.now() < this.token.expiresAt - TOKEN_SKEW_MS) return this.token.value;
    const url = `${trimTrailingSlashes(this.config.authorityHost)}/${encodeURIComponent(this.config.tenantId)}/oauth2/v2.0/token`;
    const form = new URLSearchParams({
      client_id: this.config.clientId,
      client_secret: this.config.clientSecret,
      scope: this.config.scope,
      grant_type: 'client_credentials',
    });
    const answer = await httpPost({
      url,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: form.toString(),
      timeoutMs: this.config.timeoutSeconds * 1000,
      tls: this.tls,
      signal,
    });
    if (answer.status < 200 || answer.status >= 300) {
      // The body may echo nothing secret (Entra answers with an error code and description), but keep it short.
      let description = answer.body.slice(0, 200);
      try {
        const parsed = JSON.parse(answer.body) as { error?: string; error_description?: string };
        description = `${parsed.error ?? ''} ${(parsed.error_description ?? '').split('\n')[0]}`.trim();
      } catch {
        // not JSON
      }
      throw new DeliveryError(`token request to ${new URL(url).origin} failed: HTTP ${answer.status} ${description}`, {
        retryable: answer.status >= 500 || answer.status === 429 || answer.status === 400 || answer.status === 401,
        status: answer.status,
      });
    }
    const parsed = JSON.parse(answer.body) as { access_token?: string; expires_in?: number | string };
    if (typeof parsed.access_token !== 'string') throw new DeliveryError('token answer has no access_token', { retryable: true });
    const lifetimeSeconds = Number(parsed.expires_in ?? 3600);
    this.token = { value: parsed.access_token, expiresAt: this.now() + (Number.isFinite(lifetimeSeconds) ? lifetimeSeconds : 3600) * 1000 };
    return this.token.value;
  }
}
