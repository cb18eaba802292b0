import type { VigilConfig } from '../core/config.js';
import { trimTrailingSlashes } from '../core/trim-trailing-slashes.js';

export interface ApiTarget {
  url: string;
  token: string | undefined;
}

/** Where the running service is: --url, else the configured host and port; the token from --token or VIGIL_TOKEN. */
export function apiTarget(config: VigilConfig, options: { url?: string; token?: string }): ApiTarget {
  const host = config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host === '::' ? '::1' : config.server.host;
  const url = options.url ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
  return { url: trimTrailingSlashes(url), token: options.token ?? process.env.VIGIL_TOKEN };
}

export class ApiCallError extends Error {}

/** One API call; throws ApiCallError with the server's message on a non-2xx answer. */
export async function callApi(target: ApiTarget, method: string, path: string, body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = {};
  if (target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(target.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiCallError(`cannot reach Vigil at ${target.url}: ${(err as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
      if (parsed.error?.message) message = `${parsed.error.code ?? ''} ${parsed.error.message}`.trim();
    } catch {
      // not JSON: keep the text
    }
    throw new ApiCallError(`${method} ${path}: HTTP ${response.status}: ${message}`);
  }
  const type = response.headers.get('content-type') ?? '';
  return type.includes('json') ? (JSON.parse(text) as unknown) : text;
}
