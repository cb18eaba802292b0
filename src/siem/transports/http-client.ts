import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseRetryAfter } from '../backoff.js';
import { DeliveryError } from '../errors.js';

export interface TlsClientOptions {
  /** PEM CA bundle to trust (in addition to nothing: it replaces the default roots). */
  ca?: string;
  /** Verify the server certificate (keep on outside tests). */
  rejectUnauthorized?: boolean;
}

export interface HttpPost {
  url: string;
  method?: 'POST' | 'PUT';
  headers: Record<string, string>;
  body: Buffer | string;
  timeoutMs: number;
  tls?: TlsClientOptions;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const MAX_ANSWER_BYTES = 1 << 20;
/** Error codes meaning the server was not reached or went away: an outage. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET']);

/** One HTTP request with a body; answers any status, throws DeliveryError only when no answer came. */
export function httpPost(post: HttpPost): Promise<HttpAnswer> {
  const url = new URL(post.url);
  const body = typeof post.body === 'string' ? Buffer.from(post.body, 'utf8') : post.body;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const req = request(
      url,
      {
        method: post.method ?? 'POST',
        headers: { ...post.headers, 'Content-Length': String(body.length) },
        timeout: post.timeoutMs,
        signal: post.signal,
        ...(url.protocol === 'https:' ? { ca: post.tls?.ca, rejectUnauthorized: post.tls?.rejectUnauthorized ?? true } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => reject(toDeliveryError(error, url)));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${post.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (error) => reject(toDeliveryError(error, url)));
    req.end(body);
  });
}

function toDeliveryError(error: Error & { code?: string }, url: URL): Error {
  if (error.name === 'AbortError') return error;
  const unreachable = error.code === undefined || UNREACHABLE_CODES.has(error.code);
  return new DeliveryError(`${url.origin}: ${error.message}`, { retryable: true, unreachable, cause: error });
}

/**
 * The usual status rules: 2xx fine; 408, 429 and 5xx retryable (Retry-After
 * honoured); 401/403 retryable (credentials can be fixed or rotated, and
 * a token may have just expired); other 4xx will not get better.
 */
export function checkStatus(answer: HttpAnswer, what: string): void {
  if (answer.status >= 200 && answer.status < 300) return;
  const retryable = answer.status === 408 || answer.status === 429 || answer.status >= 500 || answer.status === 401 || answer.status === 403;
  const retryAfter = answer.status === 429 || answer.status === 503 ? parseRetryAfter(headerText(answer.headers['retry-after'])) : undefined;
  throw new DeliveryError(`${what}: HTTP ${answer.status} ${answer.body.slice(0, 300)}`, {
    retryable,
    status: answer.status,
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
  });
}

export function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
