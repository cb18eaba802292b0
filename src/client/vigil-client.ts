import { backoffDelay, retryAfterMs, sleep } from './backoff.js';
import { HttpTransport, type Fetcher } from './http-transport.js';
import { rawRequest, RequestIp, type AnyRequest } from './request-ip.js';
import { trimTrailingSlashes } from '../core/trim-trailing-slashes.js';

export const LOGIN_FAILURE_REASONS = ['INVALID_PASSWORD', 'ACCOUNT_DISABLED', 'ACCOUNT_LOCKED', 'SYSTEM_ERROR'] as const;
export type LoginFailureReason = (typeof LOGIN_FAILURE_REASONS)[number];

export const VIOLATION_TYPES = ['RATE_LIMIT_VIOLATION', 'CORS_VIOLATION', 'CSRF_VIOLATION', 'XSS_ATTACK', 'SQL_INJECTION'] as const;
/** The violation types Vigil knows; any other upper-case name is accepted too. */
export type ViolationType = (typeof VIOLATION_TYPES)[number] | (string & {});

/**
 * Who the client is: an address, or the request it came with (resolved with
 * the trusted-proxy rule), or both (the address wins; the request still gives
 * the User-Agent and, for violations, the method and path).
 */
export type ClientRef = { ip: string; req?: AnyRequest } | { req: AnyRequest; ip?: string };

export type LoginInput = ClientRef & {
  username: string;
  userId?: string;
  sessionId?: string;
  /** Defaults to the request's User-Agent header. */
  userAgent?: string;
  /** Event time, epoch ms (default: now). */
  timestamp?: number;
};

export type LoginFailureInput = LoginInput & { reason: LoginFailureReason };

export type ViolationInput = ClientRef & {
  /** What happened, free-form (kept as JSON text by Vigil, truncated at 16 KiB). */
  eventData?: unknown;
  username?: string;
  timestamp?: number;
};

export interface VigilClientOptions {
  /** Vigil's base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** A token with the `ingest` scope, sent as `Authorization: Bearer`. Optional on loopback (Vigil's `auth.loopbackWithoutToken`). */
  token?: string;
  /** Reverse proxies whose X-Forwarded-For is believed when resolving `req` (addresses or CIDRs). */
  trustedProxies?: readonly string[];
  /** Events per POST (default 100, at most Vigil's `server.maxBatchRecords`). */
  batchSize?: number;
  /** Longest an event waits before its batch is sent (default 1000 ms). */
  flushIntervalMs?: number;
  /** Events held in memory at most; beyond it new events are dropped and counted (default 10 000). */
  maxQueue?: number;
  /** Attempts per batch on 5xx, 429 and network errors before it is dropped and counted (default 8). */
  maxAttempts?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Longest `Retry-After` honoured (default 60 000 ms). */
  maxRetryAfterMs?: number;
  /** Per-request timeout (default 10 000 ms). */
  requestTimeoutMs?: number;
  /** How long `close()` keeps trying to deliver what is queued (default 10 000 ms); the rest is dropped and counted. */
  closeTimeoutMs?: number;
  /** Told about delivery problems (never thrown). */
  onError?: (error: Error) => void;
  /** HTTP client (default: node:http with the client's own keep-alive agent, closed by `close()`). */
  fetch?: Fetcher;
  now?: () => number;
  random?: () => number;
}

export interface VigilClientStats {
  /** Events accepted into the queue. */
  queued: number;
  /** Events Vigil accepted. */
  delivered: number;
  /** Events Vigil rejected as invalid (400 or listed in `rejected`). */
  rejected: number;
  /** Events dropped: queue full, no client address, retries exhausted, refused (401/403/413), or left at close. */
  dropped: { queueFull: number; invalid: number; retriesExhausted: number; refused: number; closed: number; total: number };
  /** POSTs made (including retries) and retries alone. */
  requests: number;
  retries: number;
  /** Events waiting now (queued plus the batch in flight). */
  pending: number;
  lastError: string | undefined;
}

/** Delivery failed in a way worth retrying (5xx, 429, network). */
class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

type NativeEvent = Record<string, unknown>;

/**
 * What an application's login code calls to report to Vigil. Every method is
 * synchronous, returns nothing and never throws: events go to a bounded
 * in-memory queue and are POSTed to `/api/v1/events` in batches (by size and
 * by interval), retried with backoff (honouring `Retry-After`) on 5xx, 429
 * and network errors. What cannot be kept is dropped and counted in `stats()`.
 */
export class VigilClient {
  private readonly baseUrl: string;
  private readonly requestIp: RequestIp;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxQueue: number;
  private readonly now: () => number;
  private readonly fetchFn: Fetcher;
  private readonly transport: HttpTransport | undefined;
  private readonly random: () => number;
  private queue: NativeEvent[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  /** Flushes and close wait for this many (then the pump sends partial batches at once). */
  private draining = 0;
  private closed = false;
  private readonly abort = new AbortController();
  private readonly counts = { queued: 0, delivered: 0, rejected: 0, requests: 0, retries: 0 };
  private readonly drops = { queueFull: 0, invalid: 0, retriesExhausted: 0, refused: 0, closed: 0 };
  private lastError: string | undefined;

  constructor(private readonly options: VigilClientOptions) {
    this.baseUrl = trimTrailingSlashes(options.url);
    this.requestIp = new RequestIp(options.trustedProxies ?? []);
    this.batchSize = Math.max(1, options.batchSize ?? 100);
    this.flushIntervalMs = Math.max(0, options.flushIntervalMs ?? 1000);
    this.maxQueue = Math.max(1, options.maxQueue ?? 10_000);
    this.now = options.now ?? Date.now;
    this.transport = options.fetch === undefined ? new HttpTransport() : undefined;
    this.fetchFn = options.fetch ?? (this.transport as HttpTransport).fetch;
    this.random = options.random ?? Math.random;
  }

  /** Report a successful login. */
  loginSucceeded(input: LoginInput): void {
    this.guarded(() => this.login('LOGIN_SUCCESS', input));
  }

  /** Report a failed login (`reason`: INVALID_PASSWORD, ACCOUNT_DISABLED, ACCOUNT_LOCKED or SYSTEM_ERROR). */
  loginFailed(input: LoginFailureInput): void {
    this.guarded(() => this.login('LOGIN_FAILURE', input, input.reason));
  }

  /** Report a security violation (RATE_LIMIT_VIOLATION, CORS_VIOLATION, CSRF_VIOLATION, …). */
  violation(type: ViolationType, input: ViolationInput): void {
    this.guarded(() => {
      const ip = this.ipOf(input);
      if (ip === undefined) return;
      const event: NativeEvent = { eventType: type, clientIp: ip, timestamp: input.timestamp ?? this.now() };
      if (input.username !== undefined) event.username = input.username;
      if (input.eventData !== undefined) event.eventData = input.eventData;
      if (input.req !== undefined) {
        const req = rawRequest(input.req);
        const agent = req.headers['user-agent'];
        if (typeof agent === 'string') event.userAgent = agent;
        const target = req.url ?? '/';
        const q = target.indexOf('?');
        event.http = {
          method: req.method ?? 'GET',
          path: q < 0 ? target : target.slice(0, q),
          ...(q < 0 ? {} : { query: target.slice(q + 1) }),
        };
      }
      this.enqueue(event);
    });
  }

  /** Send everything queued now; resolves when it is delivered or given up on. Never rejects. */
  async flush(): Promise<void> {
    this.draining++;
    try {
      while ((this.queue.length > 0 || this.sending !== undefined) && !this.abort.signal.aborted) {
        this.pump();
        await this.sending;
      }
    } finally {
      this.draining--;
    }
  }

  /** Stop accepting events and deliver what is queued (within `closeTimeoutMs`; the rest is dropped and counted). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearTimer();
    const deadline = setTimeout(() => this.abort.abort(), this.options.closeTimeoutMs ?? 10_000);
    try {
      await this.flush();
    } finally {
      clearTimeout(deadline);
      this.abort.abort();
      await this.sending;
      this.drops.closed += this.queue.length;
      this.queue = [];
      this.transport?.destroy();
    }
  }

  stats(): VigilClientStats {
    const d = this.drops;
    return {
      ...this.counts,
      dropped: { ...d, total: d.queueFull + d.invalid + d.retriesExhausted + d.refused + d.closed },
      pending: this.queue.length + this.inFlight,
      lastError: this.lastError,
    };
  }

  private guarded(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.drops.invalid++;
      this.report(err);
    }
  }

  private login(eventType: 'LOGIN_SUCCESS' | 'LOGIN_FAILURE', input: LoginInput, reason?: LoginFailureReason): void {
    const ip = this.ipOf(input);
    if (ip === undefined) return;
    const event: NativeEvent = { eventType, sourceIp: ip, username: input.username, timestamp: input.timestamp ?? this.now() };
    if (reason !== undefined) event.reason = reason;
    if (input.userId !== undefined) event.userId = input.userId;
    if (input.sessionId !== undefined) event.sessionId = input.sessionId;
    let agent = input.userAgent;
    if (agent === undefined && input.req !== undefined) {
      const header = rawRequest(input.req).headers['user-agent'];
      if (typeof header === 'string') agent = header;
    }
    if (agent !== undefined) event.userAgent = agent;
    this.enqueue(event);
  }

  /** The client address, or undefined (counted as invalid) when there is none: Vigil would otherwise record the app's own address. */
  private ipOf(input: ClientRef): string | undefined {
    const ip = input.ip ?? (input.req === undefined ? undefined : this.requestIp.of(input.req));
    if (ip === undefined || ip === '') {
      this.drops.invalid++;
      this.report(new Error('event dropped: no client IP (pass ip or req)'));
      return undefined;
    }
    return ip;
  }

  private enqueue(event: NativeEvent): void {
    if (this.closed) {
      this.drops.closed++;
      return;
    }
    if (this.queue.length >= this.maxQueue) {
      this.drops.queueFull++;
      return;
    }
    this.queue.push(event);
    this.counts.queued++;
    if (this.queue.length >= this.batchSize) this.pump();
    else if (this.sending === undefined) this.armTimer();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Start sending if idle and there is a full batch (or the interval passed, or someone is flushing). */
  private pump(due = false): void {
    if (this.sending !== undefined || this.queue.length === 0) return;
    if (!due && this.draining === 0 && this.queue.length < this.batchSize) return;
    this.clearTimer();
    this.sending = this.sendAll().finally(() => {
      this.sending = undefined;
      // Whatever arrived meanwhile: a full batch goes now, a partial one after the interval.
      if (this.queue.length >= this.batchSize || this.draining > 0) this.pump();
      else if (!this.closed) this.armTimer();
    });
  }

  private armTimer(): void {
    if (this.timer !== undefined || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump(true);
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  private async sendAll(): Promise<void> {
    // One batch at a time, in order; keep going while full batches are waiting (or while draining).
    do {
      const batch = this.queue.splice(0, this.batchSize);
      this.inFlight = batch.length;
      try {
        await this.deliver(batch);
      } finally {
        this.inFlight = 0;
      }
    } while (this.queue.length > 0 && (this.queue.length >= this.batchSize || this.draining > 0) && !this.abort.signal.aborted);
  }

  private async deliver(batch: NativeEvent[]): Promise<void> {
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 8);
    for (let attempt = 0; ; attempt++) {
      if (this.abort.signal.aborted) {
        this.drops.closed += batch.length;
        return;
      }
      try {
        await this.post(batch);
        return;
      } catch (err) {
        this.report(err);
        if (!(err instanceof RetryableError)) {
          this.drops.refused += batch.length;
          return;
        }
        if (attempt + 1 >= maxAttempts) {
          this.drops.retriesExhausted += batch.length;
          return;
        }
        this.counts.retries++;
        const wait =
          err.retryAfterMs !== undefined
            ? Math.min(err.retryAfterMs, this.options.maxRetryAfterMs ?? 60_000)
            : backoffDelay(attempt, this.options.retryBaseMs ?? 250, this.options.retryMaxMs ?? 30_000, this.random);
        // Keep the process alive for a retry only when someone waits for delivery.
        await sleep(wait, this.abort.signal, this.draining > 0);
      }
    }
  }

  private async post(batch: NativeEvent[]): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.token !== undefined && this.options.token !== '') headers.authorization = `Bearer ${this.options.token}`;
    this.counts.requests++;
    let response: Awaited<ReturnType<Fetcher>>;
    try {
      response = await this.fetchFn(`${this.baseUrl}/api/v1/events`, {
        method: 'POST',
        headers,
        body: JSON.stringify(batch),
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000)]),
      });
    } catch (err) {
      throw new RetryableError(`POST /api/v1/events failed: ${(err as Error).message}`);
    }
    const text = await response.text().catch(() => '');
    if (response.status === 202 || response.status === 200 || response.status === 400) {
      let body: { accepted?: unknown; rejected?: unknown } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // A proxy's page instead of Vigil's JSON: count by status alone.
      }
      const accepted = typeof body.accepted === 'number' ? body.accepted : response.status === 400 ? 0 : batch.length;
      this.counts.delivered += accepted;
      this.counts.rejected += batch.length - accepted;
      if (batch.length - accepted > 0) this.report(new Error(`Vigil rejected ${batch.length - accepted} event(s): ${text.slice(0, 300)}`));
      return;
    }
    const message = `POST /api/v1/events answered ${response.status}: ${text.slice(0, 200)}`;
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new RetryableError(message, retryAfterMs(response.headers.get('retry-after'), this.now()));
    }
    throw new Error(message);
  }

  private report(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.lastError = error.message;
    try {
      this.options.onError?.(error);
    } catch {
      // An error handler that throws must not reach the caller either.
    }
  }
}
