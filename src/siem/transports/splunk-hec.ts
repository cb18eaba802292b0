import { gzipSync } from 'node:zlib';
import type { SplunkHecDestination } from '../destination-types.js';
import { formatHecBatch } from '../formatters/hec.js';
import type { SiemRecord } from '../record.js';
import type { SendResult, SiemTransport } from '../transport.js';
import { checkStatus, httpPost, type TlsClientOptions } from './http-client.js';
import { trimTrailingSlashes } from '../../core/trim-trailing-slashes.js';

/** Splunk HEC: one POST of concatenated events per batch. */
export class SplunkHecTransport implements SiemTransport {
  private readonly url: string;

  constructor(
    private readonly config: SplunkHecDestination,
    private readonly hostname: string,
    private readonly tls: TlsClientOptions,
  ) {
    const base = trimTrailingSlashes(config.url);
    this.url = /\/services\/collector(\/event)?(\/1\.0)?$/.test(base) ? base : `${base}/services/collector/event`;
  }

  async send(records: readonly SiemRecord[], signal: AbortSignal): Promise<SendResult | void> {
    const text = formatHecBatch(records, {
      host: this.config.host || this.hostname,
      source: this.config.source,
      ...(this.config.sourcetype !== undefined ? { sourcetype: this.config.sourcetype } : {}),
      ...(this.config.index !== undefined ? { index: this.config.index } : {}),
    });
    const headers: Record<string, string> = { Authorization: `Splunk ${this.config.token}`, 'Content-Type': 'application/json' };
    if (this.config.channel !== undefined) headers['X-Splunk-Request-Channel'] = this.config.channel;
    if (this.config.gzip) headers['Content-Encoding'] = 'gzip';
    const answer = await httpPost({
      url: this.url,
      headers,
      body: this.config.gzip ? gzipSync(text) : text,
      timeoutMs: this.config.timeoutSeconds * 1000,
      tls: this.tls,
      signal,
    });
    if (answer.status === 400) {
      // HEC indexes the events before the bad one and stops there: dead-letter that one, resend the rest.
      const parsed = safeJson(answer.body) as { code?: number; text?: string; 'invalid-event-number'?: number } | undefined;
      const bad = parsed?.['invalid-event-number'];
      if (typeof bad === 'number' && bad >= 0 && bad < records.length) {
        const retry: number[] = [];
        for (let i = bad + 1; i < records.length; i++) retry.push(i);
        return { rejected: [{ index: bad, reason: `HEC: ${parsed?.text ?? 'invalid event'} (code ${parsed?.code ?? '?'})` }], retry };
      }
    }
    checkStatus(answer, 'Splunk HEC');
  }

  async close(): Promise<void> {}
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
