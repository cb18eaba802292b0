import type { Decision } from '../core/detection.js';
import { backoffDelay, sleep } from '../client/backoff.js';
import { HttpTransport, type Fetcher } from '../client/http-transport.js';
import { DecisionSet } from './decision-set.js';
import { trimTrailingSlashes } from '../core/trim-trailing-slashes.js';

export interface DecisionCacheOptions {
  /** Vigil's base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The enforcement point's API key (`enforcement.points[].apiKey`), sent as `X-Api-Key`. */
  apiKey: string;
  /** Long-poll wait in seconds (1–60, default 25; lowered to fit within half of `maxStalenessMs`). */
  waitSeconds?: number;
  /** After this long without a successful sync the cache counts as stale (default 60 000 ms). */
  maxStalenessMs?: number;
  /** First retry delay after an error (default 500 ms), doubled per failure up to `retryMaxMs` (default 30 000 ms), with jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Extra time a request may take beyond the long-poll wait before it is abandoned (default 10 000 ms). */
  requestTimeoutMs?: number;
  /** Start syncing at construction (default true). */
  autoStart?: boolean;
  /** Called on every failed sync attempt (the loop retries by itself). */
  onError?: (error: Error) => void;
  /** Wall clock (default Date.now). Decisions' `until` is compared against it. */
  now?: () => number;
  /** HTTP client (default: node:http with the cache's own keep-alive agent, closed by `close()`). */
  fetch?: Fetcher;
  random?: () => number;
}

export interface DecisionCacheState {
  /** At least one sync succeeded. */
  synced: boolean;
  /** Synced, and the last successful sync is within `maxStalenessMs`. */
  fresh: boolean;
  lastSyncAt: number | undefined;
  lastSeq: number | undefined;
  decisions: number;
  syncs: number;
  resyncs: number;
  errors: number;
  lastError: string | undefined;
}

/** Vigil answered the stream with something that is not a stream body, or an error status. */
export class DecisionStreamError extends Error {
  readonly code = 'VIGIL_E_DECISION_STREAM';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DecisionStreamError';
  }
}

/** The cache was closed before it ever synced. */
export class DecisionCacheClosedError extends Error {
  readonly code = 'VIGIL_E_CACHE_CLOSED';
  constructor() {
    super('the decision cache was closed before its first sync');
    this.name = 'DecisionCacheClosedError';
  }
}

export interface DecisionStreamBody {
  new: Decision[];
  deleted: Decision[];
  lastSeq: number;
  resync: boolean;
}

function isStreamBody(value: unknown): value is DecisionStreamBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return Array.isArray(body.new) && Array.isArray(body.deleted) && typeof body.lastSeq === 'number';
}

/**
 * A local copy of Vigil's active decisions, kept in sync from
 * `GET /api/v1/decisions/stream`: `startup=true` once, then long-polls
 * `since=<lastSeq>&wait=<s>`; `resync: true` replaces everything. Network or
 * HTTP errors are retried with exponential backoff and jitter, for ever,
 * until `close()`. Lookups never touch the network.
 */
export class DecisionCache {
  /** Resolves at the first successful sync; rejects (DecisionCacheClosedError) if closed before. */
  readonly ready: Promise<void>;
  readonly maxStalenessMs: number;
  private readonly set = new DecisionSet();
  private readonly baseUrl: string;
  private readonly waitSeconds: number;
  private readonly now: () => number;
  private readonly fetchFn: Fetcher;
  private readonly transport: HttpTransport | undefined;
  private readonly random: () => number;
  private readonly abort = new AbortController();
  private resolveReady!: () => void;
  private rejectReady!: (error: Error) => void;
  private loop: Promise<void> | undefined;
  private lastSeq: number | undefined;
  private lastSyncAt: number | undefined;
  private syncs = 0;
  private resyncs = 0;
  private errors = 0;
  private lastError: string | undefined;
  private closed = false;
  private sweptAt = 0;

  constructor(private readonly options: DecisionCacheOptions) {
    if (options.apiKey === '') throw new TypeError('DecisionCache: apiKey is required (an enforcement point key)');
    this.baseUrl = trimTrailingSlashes(options.url);
    this.maxStalenessMs = options.maxStalenessMs ?? 60_000;
    // A quiet long-poll must come back well before the cache would count as stale.
    const fit = Math.floor(this.maxStalenessMs / 2000);
    this.waitSeconds = Math.max(1, Math.min(options.waitSeconds ?? 25, 60, fit));
    this.now = options.now ?? Date.now;
    this.transport = options.fetch === undefined ? new HttpTransport() : undefined;
    this.fetchFn = options.fetch ?? (this.transport as HttpTransport).fetch;
    this.random = options.random ?? Math.random;
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Callers that never await `ready` must not see an unhandled rejection on close.
    this.ready.catch(() => undefined);
    if (options.autoStart !== false) this.start();
  }

  /** Start the sync loop (idempotent). */
  start(): void {
    if (this.loop !== undefined || this.closed) return;
    this.loop = this.run();
  }

  /** Synced at least once and not out of sync for longer than `maxStalenessMs`. */
  get fresh(): boolean {
    return this.lastSyncAt !== undefined && this.now() - this.lastSyncAt <= this.maxStalenessMs;
  }

  /** Whether an active `block` decision (exact IP or a range) applies to `ip` now. */
  isBlocked(ip: string): boolean {
    return this.lookup(ip)?.action === 'block';
  }

  /** The decision in force for `ip` now (block, captcha or throttle), if any. */
  lookup(ip: string): Decision | undefined {
    return this.set.lookup(ip, this.now());
  }

  /** The decision in force for a user name now, if any. */
  lookupUser(username: string): Decision | undefined {
    return this.set.lookupUser(username, this.now());
  }

  /** Every decision held that is still in force. */
  list(): Decision[] {
    return this.set.list(this.now());
  }

  state(): DecisionCacheState {
    return {
      synced: this.lastSyncAt !== undefined,
      fresh: this.fresh,
      lastSyncAt: this.lastSyncAt,
      lastSeq: this.lastSeq,
      decisions: this.set.size,
      syncs: this.syncs,
      resyncs: this.resyncs,
      errors: this.errors,
      lastError: this.lastError,
    };
  }

  /** Stop syncing and abort the request in flight. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    if (this.lastSyncAt === undefined) this.rejectReady(new DecisionCacheClosedError());
    await this.loop;
    this.transport?.destroy();
  }

  /**
   * Apply one stream body (exposed for tests and for feeding the cache from
   * elsewhere). The first body, and any with `resync`, replace everything.
   */
  applyStream(body: DecisionStreamBody): void {
    if (this.lastSeq === undefined || body.resync) {
      if (this.lastSeq !== undefined) this.resyncs++;
      this.set.replace(body.new);
    } else {
      this.set.apply(body.new, body.deleted);
    }
    this.lastSeq = body.lastSeq;
    this.lastSyncAt = this.now();
    this.syncs++;
    if (this.lastSyncAt - this.sweptAt > 10_000) {
      this.set.sweep(this.lastSyncAt);
      this.sweptAt = this.lastSyncAt;
    }
    this.resolveReady();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      try {
        const body = await this.fetchStream();
        if (this.closed) break;
        this.applyStream(body);
        failures = 0;
      } catch (err) {
        if (this.closed) break;
        this.errors++;
        const error = err instanceof Error ? err : new Error(String(err));
        this.lastError = error.message;
        this.options.onError?.(error);
        await sleep(backoffDelay(failures++, this.options.retryBaseMs ?? 500, this.options.retryMaxMs ?? 30_000, this.random), this.abort.signal);
      }
    }
  }

  private async fetchStream(): Promise<DecisionStreamBody> {
    const polling = this.lastSeq !== undefined;
    const url = polling
      ? `${this.baseUrl}/api/v1/decisions/stream?since=${this.lastSeq}&wait=${this.waitSeconds}`
      : `${this.baseUrl}/api/v1/decisions/stream?startup=true`;
    const timeoutMs = (polling ? this.waitSeconds * 1000 : 0) + (this.options.requestTimeoutMs ?? 10_000);
    const response = await this.fetchFn(url, {
      headers: { 'x-api-key': this.options.apiKey, accept: 'application/json' },
      signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new DecisionStreamError(`GET ${url.replace(this.baseUrl, '')} answered ${response.status}: ${text.slice(0, 200)}`, response.status);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new DecisionStreamError(`the decisions stream answered invalid JSON: ${text.slice(0, 200)}`);
    }
    if (!isStreamBody(body)) throw new DecisionStreamError('the decisions stream answered an unexpected body (no new/deleted/lastSeq)');
    return body;
  }
}
