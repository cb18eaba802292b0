import { readFile, stat } from 'node:fs/promises';

/** What the last successful fetch left to revalidate with. */
export interface FeedValidators {
  etag?: string;
  lastModified?: string;
  /** Local files: unchanged size and mtime mean unchanged content. */
  mtimeMs?: number;
  size?: number;
}

export type FetchResult = { status: 'not_modified' } | { status: 'ok'; text: string; validators: FeedValidators; bytes: number };

/** A feed could not be fetched (network, HTTP status, size, timeout). */
export class FeedFetchError extends Error {
  readonly code = 'VIGIL_E_FEED_FETCH';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FeedFetchError';
  }
}

export interface FetchTarget {
  url?: string;
  /** Absolute path of a local file. */
  path?: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxBytes: number;
}

/**
 * One conditional fetch. HTTP: If-None-Match / If-Modified-Since from the
 * previous validators, 304 → not_modified; the body is read up to maxBytes.
 * Files: unchanged size and mtime → not_modified. `validators` undefined
 * forces a full fetch.
 */
export async function fetchFeed(target: FetchTarget, validators: FeedValidators | undefined): Promise<FetchResult> {
  if (target.path !== undefined) return fetchFile(target.path, target.maxBytes, validators);
  if (target.url === undefined) throw new FeedFetchError('the feed has neither url nor path');
  const headers: Record<string, string> = { 'user-agent': 'vigil-ioc-feed', accept: '*/*', ...target.headers };
  if (validators?.etag !== undefined) headers['if-none-match'] = validators.etag;
  if (validators?.lastModified !== undefined) headers['if-modified-since'] = validators.lastModified;
  let response: Response;
  try {
    response = await fetch(target.url, { headers, signal: AbortSignal.timeout(target.timeoutMs), redirect: 'follow' });
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    throw new FeedFetchError(`${describeUrl(target.url)}: ${(err as Error).name === 'TimeoutError' ? `no answer within ${target.timeoutMs} ms` : (cause?.message ?? (err as Error).message)}`, {
      cause: err,
    });
  }
  if (response.status === 304) {
    await response.body?.cancel();
    return { status: 'not_modified' };
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new FeedFetchError(`${describeUrl(target.url)}: HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > target.maxBytes) {
    await response.body?.cancel();
    throw new FeedFetchError(`${describeUrl(target.url)}: ${declared} bytes, more than maxBytes ${target.maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    if (response.body !== null) {
      for await (const chunk of response.body) {
        bytes += chunk.byteLength;
        if (bytes > target.maxBytes) {
          await response.body.cancel().catch(() => undefined);
          throw new FeedFetchError(`${describeUrl(target.url)}: more than maxBytes ${target.maxBytes}`);
        }
        chunks.push(chunk);
      }
    }
  } catch (err) {
    if (err instanceof FeedFetchError) throw err;
    throw new FeedFetchError(`${describeUrl(target.url)}: reading the body failed: ${(err as Error).message}`, { cause: err });
  }
  const next: FeedValidators = {};
  const etag = response.headers.get('etag');
  const lastModified = response.headers.get('last-modified');
  if (etag !== null) next.etag = etag;
  if (lastModified !== null) next.lastModified = lastModified;
  return { status: 'ok', text: Buffer.concat(chunks).toString('utf8'), validators: next, bytes };
}

async function fetchFile(path: string, maxBytes: number, validators: FeedValidators | undefined): Promise<FetchResult> {
  try {
    const info = await stat(path);
    if (validators?.mtimeMs === info.mtimeMs && validators.size === info.size) return { status: 'not_modified' };
    if (info.size > maxBytes) throw new FeedFetchError(`${path}: ${info.size} bytes, more than maxBytes ${maxBytes}`);
    const text = await readFile(path, 'utf8');
    return { status: 'ok', text, validators: { mtimeMs: info.mtimeMs, size: info.size }, bytes: info.size };
  } catch (err) {
    if (err instanceof FeedFetchError) throw err;
    throw new FeedFetchError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Scheme, host and path only: a feed URL's query often holds its key. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'the feed URL';
  }
}
