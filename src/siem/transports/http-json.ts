import type { HttpDestination } from '../destination-types.js';
import { formatHttpJsonBody } from '../formatters/http-json.js';
import type { SiemRecord } from '../record.js';
import type { SiemTransport } from '../transport.js';
import { checkStatus, httpPost, type TlsClientOptions } from './http-client.js';

/** Generic HTTP: a JSON array of Vigil records per request, with the configured headers. */
export class HttpJsonTransport implements SiemTransport {
  constructor(
    private readonly config: HttpDestination,
    private readonly tls: TlsClientOptions,
  ) {}

  async send(records: readonly SiemRecord[], signal: AbortSignal): Promise<void> {
    const answer = await httpPost({
      url: this.config.url,
      method: this.config.method,
      headers: { 'Content-Type': 'application/json', ...this.config.headers },
      body: formatHttpJsonBody(records),
      timeoutMs: this.config.timeoutSeconds * 1000,
      tls: this.tls,
      signal,
    });
    checkStatus(answer, `HTTP ${this.config.url}`);
  }

  async close(): Promise<void> {}
}
