import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** The part of `fetch`'s interface the client and the decision cache use (global `fetch` fits it). */
export type Fetcher = (
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{ status: number; ok: boolean; headers: { get(name: string): string | null }; text(): Promise<string> }>;

/**
 * A `Fetcher` over node:http(s) with its own keep-alive agent, so that
 * `destroy()` closes every socket it opened. (Global `fetch` shares one
 * process-wide pool that can keep a freshly opened, unused connection to
 * Vigil after an abort; Vigil's graceful stop then waits for it to time out.)
 */
export class HttpTransport {
  private readonly http = new HttpAgent({ keepAlive: true, maxSockets: 4 });
  private readonly https = new HttpsAgent({ keepAlive: true, maxSockets: 4 });

  readonly fetch: Fetcher = (url, init) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
      const headers: Record<string, string | number> = { ...init.headers };
      if (body !== undefined) headers['content-length'] = body.length;
      const req = (secure ? httpsRequest : httpRequest)(target, {
        method: init.method ?? 'GET',
        headers,
        agent: secure ? this.https : this.http,
        signal: init.signal,
      });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          resolve({ status, ok: status >= 200 && status < 300, headers: headerReader(res.headers), text: async () => text });
        });
      });
      req.end(body);
    });

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

function headerReader(headers: IncomingHttpHeaders): { get(name: string): string | null } {
  return {
    get(name: string): string | null {
      const value = headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}
