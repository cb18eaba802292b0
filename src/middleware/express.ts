import type { IncomingMessage, ServerResponse } from 'node:http';
import { VigilGuard, type VigilGuardOptions } from './guard.js';

/** Express middleware (also Connect-style stacks): `(req, res, next)`, with the guard attached. */
export interface VigilExpressMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void;
  readonly guard: VigilGuard;
  /** Report a violation by this request's client (RATE_LIMIT_VIOLATION, CORS_VIOLATION, CSRF_VIOLATION, …). */
  report: VigilGuard['report'];
  close(): Promise<void>;
}

/**
 * `app.use(vigilExpress({ url, apiKey }))` — answers 403 (VIGIL_E_BLOCKED)
 * before any later middleware or route runs when the client IP is blocked.
 * Pass an existing guard to share one cache between apps.
 */
export function vigilExpress(options: VigilGuardOptions | VigilGuard): VigilExpressMiddleware {
  const guard = options instanceof VigilGuard ? options : new VigilGuard(options);
  const middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
    if (guard.intercept(req, res)) return;
    next();
  };
  return Object.assign(middleware, {
    guard,
    report: guard.report.bind(guard),
    close: () => guard.close(),
  });
}
