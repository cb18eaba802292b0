import type { ElasticDestination } from '../destination-types.js';
import { DeliveryError } from '../errors.js';
import { formatEcsBulk } from '../formatters/ecs.js';
import type { SiemRecord } from '../record.js';
import type { SendResult, SiemTransport } from '../transport.js';
import { checkStatus, httpPost, type TlsClientOptions } from './http-client.js';
import { trimTrailingSlashes } from '../../core/trim-trailing-slashes.js';

interface BulkItem {
  status?: number;
  error?: { type?: string; reason?: string };
}

/**
 * Elasticsearch `_bulk` with ECS documents. `_bulk` answers 200 even when
 * items fail, so each item is checked: 2xx or 409 (already stored: the
 * document id is the record id) is delivered, 429/5xx is retried, anything
 * else (a mapping error) is dead-lettered.
 */
export class ElasticTransport implements SiemTransport {
  private readonly url: string;
  private readonly auth: string | undefined;

  constructor(
    private readonly config: ElasticDestination,
    private readonly tls: TlsClientOptions,
  ) {
    this.url = `${trimTrailingSlashes(config.url)}/_bulk`;
    if (config.apiKey !== undefined) this.auth = `ApiKey ${config.apiKey}`;
    else if (config.username !== undefined) this.auth = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`;
  }

  async send(records: readonly SiemRecord[], signal: AbortSignal): Promise<SendResult | void> {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-ndjson', Accept: 'application/json' };
    if (this.auth !== undefined) headers.Authorization = this.auth;
    const answer = await httpPost({
      url: this.url,
      headers,
      body: formatEcsBulk(records, { index: this.config.index, documentIds: this.config.documentIds }),
      timeoutMs: this.config.timeoutSeconds * 1000,
      tls: this.tls,
      signal,
    });
    checkStatus(answer, 'Elasticsearch _bulk');
    let parsed: { errors?: boolean; items?: Array<Record<string, BulkItem>> };
    try {
      parsed = JSON.parse(answer.body) as typeof parsed;
    } catch {
      throw new DeliveryError(`Elasticsearch _bulk: unreadable answer ${answer.body.slice(0, 200)}`, { retryable: true });
    }
    if (!parsed.errors) return;
    const retry: number[] = [];
    const rejected: Array<{ index: number; reason: string }> = [];
    (parsed.items ?? []).forEach((item, index) => {
      const result = Object.values(item)[0];
      const status = result?.status ?? 0;
      if ((status >= 200 && status < 300) || status === 409) return;
      if (status === 429 || status >= 500) retry.push(index);
      else rejected.push({ index, reason: `${status} ${result?.error?.type ?? ''}: ${result?.error?.reason ?? ''}`.trim() });
    });
    return { retry, rejected };
  }

  async close(): Promise<void> {}
}
