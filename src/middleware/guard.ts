import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision } from '../core/detection.js';
import { RequestIp } from '../client/request-ip.js';
import { VigilClient, type VigilClientOptions, type ViolationType } from '../client/vigil-client.js';
import { DecisionCache, type DecisionCacheOptions } from './decision-cache.js';
import { trimTrailingSlashes } from '../core/trim-trailing-slashes.js';

export type FailMode = 'open' | 'closed';

export interface VigilGuardOptions extends Omit<DecisionCacheOptions, 'autoStart'> {
  /**
   * What to do while the cache has never synced or has been out of sync for
   * longer than `maxStalenessMs`: `open` lets everyone through (default),
   * `closed` answers 503 to everyone.
   */
  failMode?: FailMode;
  /** Reverse proxies whose X-Forwarded-For is believed (addresses or CIDRs). Empty: the socket address is the client. */
  trustedProxies?: readonly string[];
  /** Decision actions answered with 403 (default `['block']`; captcha/throttle are left to the app via `guard.lookup`). */
  blockActions?: readonly Decision['action'][];
  /** Requests the guard never checks (health probes, …). */
  skip?: (req: IncomingMessage) => boolean;
  /** Share one cache between several guards (it is not closed by `close()` then). */
  cache?: DecisionCache;
  /**
   * Report violations back to Vigil: a VigilClient to use (not closed by
   * `close()`), or options for one the guard owns (`url` and
   * `trustedProxies` default to the guard's), or false (default) for none.
   */
  report?: false | VigilClient | (Partial<VigilClientOptions> & { token?: string });
  /** Response statuses reported as violations (default `{ 429: 'RATE_LIMIT_VIOLATION' }`; needs `report`). */
  reportStatuses?: Readonly<Record<number, ViolationType>>;
  /**
   * Origins the app serves cross-origin requests to (e.g. `https://app.example.com`).
   * When set (and `report` is on), a request whose `Origin` is neither listed
   * nor the request's own host is reported: CSRF_VIOLATION for unsafe methods
   * (POST, PUT, PATCH, DELETE), CORS_VIOLATION otherwise. Reported, not blocked.
   */
  allowedOrigins?: readonly string[];
  /** Told about every blocked request (after the 403 is written). */
  onBlock?: (event: { ip: string; decision: Decision; req: IncomingMessage }) => void;
}

export type GuardVerdict =
  | { action: 'allow'; ip: string | undefined; degraded: boolean }
  | { action: 'block'; ip: string; decision: Decision; status: 403; body: GuardErrorBody; headers: Record<string, string> }
  | { action: 'unavailable'; ip: string | undefined; status: 503; body: GuardErrorBody; headers: Record<string, string> };

export interface GuardErrorBody {
  error: { code: 'VIGIL_E_BLOCKED' | 'VIGIL_E_ENFORCEMENT_UNAVAILABLE'; message: string };
}

export interface GuardStats {
  allowed: number;
  blocked: number;
  /** Answered 503 (fail closed, cache stale). */
  unavailable: number;
  /** Let through only because the cache was stale and the guard fails open. */
  allowedDegraded: number;
  reported: number;
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The framework-neutral core of the middleware: a DecisionCache, the
 * client-IP rule, the fail-open/closed policy and optional violation
 * reporting. The Express, Fastify and node:http adapters are thin shells
 * around `check` (before the app) and `observeResponse` (after it).
 */
export class VigilGuard {
  readonly cache: DecisionCache;
  readonly client: VigilClient | undefined;
  readonly failMode: FailMode;
  private readonly ownsCache: boolean;
  private readonly ownsClient: boolean;
  private readonly requestIp: RequestIp;
  private readonly blockActions: ReadonlySet<Decision['action']>;
  private readonly reportStatuses: Readonly<Record<number, ViolationType>>;
  private readonly allowedOrigins: ReadonlySet<string> | undefined;
  private readonly counts: GuardStats = { allowed: 0, blocked: 0, unavailable: 0, allowedDegraded: 0, reported: 0 };

  constructor(private readonly options: VigilGuardOptions) {
    this.failMode = options.failMode ?? 'open';
    if (this.failMode !== 'open' && this.failMode !== 'closed') throw new TypeError(`failMode: expected 'open' or 'closed', got ${String(options.failMode)}`);
    this.ownsCache = options.cache === undefined;
    this.cache = options.cache ?? new DecisionCache(options);
    this.requestIp = new RequestIp(options.trustedProxies ?? []);
    this.blockActions = new Set(options.blockActions ?? ['block']);
    this.reportStatuses = options.reportStatuses ?? { 429: 'RATE_LIMIT_VIOLATION' };
    this.allowedOrigins = options.allowedOrigins === undefined ? undefined : new Set(options.allowedOrigins.map((o) => trimTrailingSlashes(o).toLowerCase()));
    const report = options.report ?? false;
    if (report instanceof VigilClient) {
      this.client = report;
      this.ownsClient = false;
    } else if (report !== false) {
      this.client = new VigilClient({ url: options.url, trustedProxies: options.trustedProxies, onError: options.onError, ...report });
      this.ownsClient = true;
    } else {
      this.client = undefined;
      this.ownsClient = false;
    }
  }

  /** Resolves at the cache's first sync. */
  get ready(): Promise<void> {
    return this.cache.ready;
  }

  /** The client address of `req` under the trusted-proxy rule. */
  clientIp(req: IncomingMessage): string | undefined {
    return this.requestIp.of(req);
  }

  /** The decision in force for `req`'s client, whatever its action (for apps that handle captcha/throttle). */
  lookup(req: IncomingMessage): Decision | undefined {
    const ip = this.clientIp(req);
    return ip === undefined ? undefined : this.cache.lookup(ip);
  }

  /** Decide about a request before the app sees it. Synchronous, from memory. */
  check(req: IncomingMessage): GuardVerdict {
    const ip = this.clientIp(req);
    if (this.options.skip?.(req) === true) {
      this.counts.allowed++;
      return { action: 'allow', ip, degraded: false };
    }
    if (!this.cache.fresh) {
      if (this.failMode === 'closed') {
        this.counts.unavailable++;
        return {
          action: 'unavailable',
          ip,
          status: 503,
          headers: { 'retry-after': '5' },
          body: { error: { code: 'VIGIL_E_ENFORCEMENT_UNAVAILABLE', message: 'access control is not available right now; retry later' } },
        };
      }
      // Fail open: still enforce what the cache holds (it may be old, but its `until`s still hold).
      this.counts.allowedDegraded++;
    }
    if (ip !== undefined) {
      const decision = this.cache.lookup(ip);
      if (decision !== undefined && this.blockActions.has(decision.action)) {
        this.counts.blocked++;
        const seconds = Math.max(1, Math.ceil((decision.until - Date.now()) / 1000));
        return {
          action: 'block',
          ip,
          decision,
          status: 403,
          headers: { 'retry-after': String(seconds) },
          body: { error: { code: 'VIGIL_E_BLOCKED', message: 'access from your address is blocked' } },
        };
      }
    }
    this.counts.allowed++;
    return { action: 'allow', ip, degraded: !this.cache.fresh };
  }

  /** Checks done as the request enters (after `check` allowed it): the Origin rule. */
  observeRequest(req: IncomingMessage): void {
    if (this.client === undefined || this.allowedOrigins === undefined) return;
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || origin === '' || origin === 'null') return;
    const normalized = trimTrailingSlashes(origin).toLowerCase();
    if (this.allowedOrigins.has(normalized)) return;
    const host = req.headers.host?.toLowerCase();
    if (host !== undefined && (normalized === `http://${host}` || normalized === `https://${host}`)) return;
    const method = (req.method ?? 'GET').toUpperCase();
    this.report(UNSAFE_METHODS.has(method) ? 'CSRF_VIOLATION' : 'CORS_VIOLATION', req, { origin, method, reason: 'origin not allowed' });
  }

  /** Called once the app answered: statuses listed in `reportStatuses` are reported. */
  observeResponse(req: IncomingMessage, status: number): void {
    if (this.client === undefined) return;
    const type = this.reportStatuses[status];
    if (type !== undefined) this.report(type, req, { status, method: req.method });
  }

  /** Report a violation by `req`'s client to Vigil (no-op without `report`). Never throws, never waits. */
  report(type: ViolationType, req: IncomingMessage, eventData?: unknown): void {
    if (this.client === undefined) return;
    const ip = this.clientIp(req);
    if (ip === undefined) return;
    this.counts.reported++;
    this.client.violation(type, { ip, req, eventData });
  }

  /** Write a block / unavailable verdict to a node:http response. */
  static write(res: ServerResponse, verdict: Exclude<GuardVerdict, { action: 'allow' }>): void {
    const body = JSON.stringify(verdict.body);
    res.statusCode = verdict.status;
    for (const [name, value] of Object.entries(verdict.headers)) res.setHeader(name, value);
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  }

  /**
   * For node:http-style stacks: check, answer 403/503 when needed and return
   * true (the app must not run), else arrange the response observation and
   * return false.
   */
  intercept(req: IncomingMessage, res: ServerResponse): boolean {
    const verdict = this.check(req);
    if (verdict.action !== 'allow') {
      VigilGuard.write(res, verdict);
      if (verdict.action === 'block') this.notifyBlock(verdict.ip, verdict.decision, req);
      return true;
    }
    this.observeRequest(req);
    if (this.client !== undefined) res.once('finish', () => this.observeResponse(req, res.statusCode));
    return false;
  }

  notifyBlock(ip: string, decision: Decision, req: IncomingMessage): void {
    try {
      this.options.onBlock?.({ ip, decision, req });
    } catch {
      // A throwing callback must not break the request path.
    }
  }

  stats(): GuardStats & { cache: ReturnType<DecisionCache['state']> } {
    return { ...this.counts, cache: this.cache.state() };
  }

  /** Stop syncing and drain the owned reporting client. */
  async close(): Promise<void> {
    if (this.ownsCache) await this.cache.close();
    if (this.ownsClient) await this.client?.close();
  }
}

/** A guard for a plain node:http server (or any stack with node's req/res). */
export function createGuard(options: VigilGuardOptions): VigilGuard {
  return new VigilGuard(options);
}
