import type { Logger } from 'pino';
import { backoffDelay } from '../siem/backoff.js';
import { DeliveryError } from '../siem/errors.js';
import type { AlertChannel } from './channels/index.js';
import type { AlertOutbox, Delivery } from './outbox.js';
import { channelStats, type AlertStats } from './stats.js';

export interface DispatcherOptions {
  outbox: AlertOutbox;
  channels: ReadonlyMap<string, { channel: AlertChannel; timeoutMs: number }>;
  maxAttempts: number;
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  pollIntervalMs: number;
  concurrencyPerChannel: number;
  stats: AlertStats;
  logger: Logger;
  now?: () => number;
  random?: () => number;
}

/**
 * Delivers what the outbox holds: picks due `pending` rows, sends each to
 * its channel (at most `concurrencyPerChannel` in flight per channel, so a
 * channel that hangs holds only its own slots), then marks it delivered,
 * schedules a retry with exponential backoff and jitter, or dead-letters it
 * after maxAttempts (or at once when the receiver refused it for good).
 * A row stays `pending` while it is in flight: a crash means it is sent again.
 */
export class AlertDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private stopped = false;
  private readonly inFlight = new Map<string, AbortController>();
  private readonly busy = new Map<string, number>();
  private readonly settled = new Set<Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly options: DispatcherOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Look for due rows now (new alerts were written). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = true;
    void this.tick().finally(() => {
      this.running = false;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.wake();
        return;
      }
      this.timer = setTimeout(() => this.wake(), this.options.pollIntervalMs);
      this.timer.unref();
    });
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private async tick(): Promise<void> {
    const { outbox, channels, concurrencyPerChannel, stats } = this.options;
    try {
      const depth = await outbox.depth();
      stats.depth.pending = depth.pending;
      stats.depth.dead = depth.dead;
      const free = [...channels.keys()].filter((name) => (this.busy.get(name) ?? 0) < concurrencyPerChannel);
      if (free.length === 0) return;
      const due = await outbox.due(this.now(), free.length * concurrencyPerChannel + this.inFlight.size, free);
      for (const delivery of due) {
        if (this.stopped) return;
        if (this.inFlight.has(delivery.id)) continue;
        const target = channels.get(delivery.channel);
        if (target === undefined) continue;
        if ((this.busy.get(delivery.channel) ?? 0) >= concurrencyPerChannel) continue;
        this.attempt(delivery, target.channel, target.timeoutMs);
      }
      // Rows for channels that are no longer configured would wait forever: dead-letter them.
      const orphans = await outbox.due(this.now(), 100);
      for (const delivery of orphans) {
        if (!channels.has(delivery.channel)) {
          await outbox.markDead(delivery.id, delivery.attempts, `channel ${delivery.channel} is not configured`, this.now());
        }
      }
    } catch (err) {
      this.options.logger.error({ err: (err as Error).message }, 'alert outbox unavailable; delivery resumes when it is back');
    }
  }

  private attempt(delivery: Delivery, channel: AlertChannel, timeoutMs: number): void {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    this.inFlight.set(delivery.id, controller);
    this.busy.set(channel.name, (this.busy.get(channel.name) ?? 0) + 1);
    const done: Promise<void> = channel
      .send(delivery.alert, { idempotencyKey: delivery.id, signal: controller.signal, timeoutMs })
      .then(
        () => this.succeeded(delivery),
        (err: unknown) => this.failed(delivery, err, controller.signal),
      )
      .catch((err: unknown) => this.options.logger.error({ err: (err as Error).message, delivery: delivery.id }, 'alert outbox update failed'))
      .finally(() => {
        clearTimeout(timer);
        this.inFlight.delete(delivery.id);
        this.busy.set(channel.name, (this.busy.get(channel.name) ?? 1) - 1);
        this.settled.delete(done);
        this.wake();
      });
    this.settled.add(done);
  }

  private async succeeded(delivery: Delivery): Promise<void> {
    const attempts = delivery.attempts + 1;
    channelStats(this.options.stats, delivery.channel).deliveries++;
    await this.options.outbox.markDelivered(delivery.id, attempts, this.now());
    this.options.logger.info({ delivery: delivery.id, channel: delivery.channel, level: delivery.alert.level, attempts }, 'alert delivered');
  }

  private async failed(delivery: Delivery, err: unknown, signal: AbortSignal): Promise<void> {
    // Stopping: leave the row pending as it is; it is sent after the restart.
    if (this.stopped && signal.aborted) return;
    const { stats, logger, maxAttempts } = this.options;
    const s = channelStats(stats, delivery.channel);
    s.failures++;
    const attempts = delivery.attempts + 1;
    const message = err instanceof Error ? err.message : String(err);
    const permanent = err instanceof DeliveryError && !err.retryable;
    const now = this.now();
    if (permanent || attempts >= maxAttempts) {
      s.dead++;
      await this.options.outbox.markDead(delivery.id, attempts, message, now);
      logger.error({ delivery: delivery.id, channel: delivery.channel, attempts, err: message }, 'alert delivery given up (dead)');
      return;
    }
    s.retries++;
    const retryAfter = err instanceof DeliveryError ? err.retryAfterMs : undefined;
    const delay =
      retryAfter ?? backoffDelay(attempts, { initialDelayMs: this.options.retryInitialDelayMs, maxDelayMs: this.options.retryMaxDelayMs, maxRetryAfterMs: this.options.retryMaxDelayMs }, this.options.random);
    await this.options.outbox.markRetry(delivery.id, attempts, now + Math.min(delay, this.options.retryMaxDelayMs), message, now);
    logger.warn({ delivery: delivery.id, channel: delivery.channel, attempts, retryInMs: delay, err: message }, 'alert delivery failed; will retry');
  }

  /** Stop picking rows; wait up to `graceMs` for attempts in flight, then abort them (they stay pending). */
  async stop(graceMs = 2000): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const pending = [...this.settled];
    if (pending.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.all(pending), grace]);
    clearTimeout(timer);
    for (const controller of this.inFlight.values()) controller.abort(new Error('stopping'));
    await Promise.all([...this.settled]);
  }
}
