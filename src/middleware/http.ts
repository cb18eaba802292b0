import type { IncomingMessage, ServerResponse } from 'node:http';
import { VigilGuard, type VigilGuardOptions } from './guard.js';

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A node:http request listener with the guard in front, and the guard attached. */
export interface GuardedHttpHandler extends HttpHandler {
  readonly guard: VigilGuard;
  close(): Promise<void>;
}

/**
 * `http.createServer(vigilHttp(handler, { url, apiKey }))` — the handler
 * never runs for a blocked client (403) or, failing closed, while the cache
 * is stale (503).
 */
export function vigilHttp(handler: HttpHandler, options: VigilGuardOptions | VigilGuard): GuardedHttpHandler {
  const guard = options instanceof VigilGuard ? options : new VigilGuard(options);
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    if (guard.intercept(req, res)) {
      // The body is not read; let the connection go rather than keep it for a client we refuse.
      req.resume();
      return;
    }
    handler(req, res);
  };
  return Object.assign(listener, { guard, close: () => guard.close() });
}
