import type { Logger } from 'pino';
import type { Incident } from '../core/detection.js';
import { IdGenerator } from '../core/ids.js';
import { maskIp } from '../core/ip.js';
import { rank, type ThreatLevel } from '../core/threat-level.js';
import { alertFromIncident, incidentFacts, type Alert } from './alert.js';
import { AlertmanagerChannel } from './channels/alertmanager.js';
import type { AlertChannel } from './channels/index.js';
import type { AlertConfig } from './config.js';
import { AlertDigest, digestAlert } from './digest.js';
import { AlertDispatcher } from './dispatcher.js';
import { AlertFeed, type AlertFeedItem } from './feed.js';
import { AlertGrouper } from './grouper.js';
import { newDelivery, type AlertOutbox, type Delivery } from './outbox.js';
import { RateLimiter } from './rate-limiter.js';
import { AlertRouter, DIGEST } from './router.js';
import { channelStats, newAlertStats, type AlertStats } from './stats.js';

export interface AlertingOptions {
  config: AlertConfig;
  /** Channels built from config.channels (createChannels); tests pass their own. */
  channels: AlertChannel[];
  logger: Logger;
  /** Wall clock (alert times, windows, rate limits, retries). */
  now?: () => number;
  ids?: IdGenerator;
  random?: () => number;
}

interface ActiveAlert {
  alert: Alert;
  groupKey: string;
  /** Channels it was sent to (for the resolution and the Alertmanager re-post). */
  channels: Set<string>;
  /** The incident's latest state, folded into the alert's figures only when the alert is read (cheap updates). */
  pending?: { incident: Incident; type: string; reasons: readonly string[] };
}

const MAX_ACTIVE = 10_000;
const MAX_TRACKED_INCIDENTS = 50_000;
const WRITE_BATCH = 500;

/**
 * Incidents → alerts → channels, durably and without ever blocking the
 * pipeline:
 *
 *   incident ─► per (type, subject): group (window) ─► route ─► rate limit ─► outbox ─► dispatcher ─► channel
 *
 * `onIncident` / `onResolved` run on the pipeline's path and only do
 * in-memory work: deliveries wait in a bounded queue until they are written
 * to the outbox (asynchronously), and the dispatcher delivers from there.
 * LOW alerts go to the digest, sent every digest.intervalSeconds.
 * The live feed (`recent()`, `on('alert')`) sees every alert and update.
 */
export class Alerting {
  readonly stats: AlertStats = newAlertStats();
  readonly feed: AlertFeed;
  readonly router: AlertRouter;
  readonly channels: ReadonlyMap<string, AlertChannel>;
  private readonly grouper: AlertGrouper;
  private readonly digest: AlertDigest;
  private readonly limiters = new Map<string, RateLimiter>();
  private readonly active = new Map<string, ActiveAlert>();
  /** Active alert ids by incident, so updates and resolutions do not scan every active alert. */
  private readonly byIncident = new Map<string, Set<string>>();
  /** Per incident: the level each of its types was last alerted at. */
  private readonly incidentTypes = new Map<string, Map<string, ThreatLevel>>();
  private readonly queue: Delivery[] = [];
  private writing = false;
  private writeRetry: NodeJS.Timeout | undefined;
  private outboxRef: AlertOutbox | undefined;
  private dispatcher: AlertDispatcher | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly reposting = new Set<string>();
  private readonly now: () => number;
  private readonly ids: IdGenerator;

  constructor(private readonly options: AlertingOptions) {
    const { config } = options;
    this.now = options.now ?? Date.now;
    this.ids = options.ids ?? new IdGenerator('alert');
    this.feed = new AlertFeed(config.feedSize);
    this.channels = new Map(options.channels.map((c) => [c.name, c]));
    this.router = new AlertRouter(config.routes, options.channels);
    this.grouper = new AlertGrouper(config.groupWindowSeconds * 1000);
    this.digest = new AlertDigest(config.digest.topSources);
    for (const channel of options.channels) {
      const limit = config.channels.find((c) => c.name === channel.name)?.rateLimit ?? { perMinute: 0, burst: 1 };
      this.limiters.set(channel.name, new RateLimiter(limit.perMinute, limit.burst));
      channelStats(this.stats, channel.name);
    }
  }

  /** Recent feed items, newest first (for the live dashboard). */
  recent(limit?: number): AlertFeedItem[] {
    return this.feed.recent(limit);
  }

  /** Subscribe to alerts as they happen; returns the unsubscribe function. */
  on(event: 'alert', listener: (item: AlertFeedItem) => void): () => void {
    return this.feed.on(event, listener);
  }

  get outbox(): AlertOutbox | undefined {
    return this.outboxRef;
  }

  /** The outbox is ready (the store is open): write what waited and start delivering. */
  attach(outbox: AlertOutbox): void {
    const { config, logger } = this.options;
    this.outboxRef = outbox;
    const timeouts = new Map(config.channels.map((c) => [c.name, c.timeoutSeconds * 1000]));
    this.dispatcher = new AlertDispatcher({
      outbox,
      channels: new Map([...this.channels.values()].map((channel) => [channel.name, { channel, timeoutMs: timeouts.get(channel.name) ?? 10_000 }])),
      ...config.outbox,
      stats: this.stats,
      logger,
      now: this.now,
      ...(this.options.random !== undefined ? { random: this.options.random } : {}),
    });
    this.dispatcher.start();
    this.scheduleWrite();
  }

  /** Periodic work: the digest, the Alertmanager re-post, outbox pruning. */
  /**
   * After a restart: alerts sent within the group window still group, so an
   * attack seen again (the ingest journal replays what a crash left
   * unprocessed) updates its alert instead of sending a second one.
   * Returns how many (type, subject) groups were restored.
   */
  async restoreGroups(): Promise<number> {
    const outbox = this.outboxRef;
    if (outbox === undefined) return 0;
    const alerts = await outbox.recentIncidentAlerts(this.now() - this.options.config.groupWindowSeconds * 1000);
    for (const alert of alerts) {
      const key = AlertGrouper.key(alert.type, alert.subject);
      if (alert.status === 'resolved') this.grouper.forget(key);
      else this.grouper.sent(key, alert.id, alert.level, alert.revision, alert.updatedAt);
    }
    return this.grouper.size;
  }

  startTimers(): void {
    const { config } = this.options;
    const every = (ms: number, fn: () => void) => {
      const timer = setInterval(fn, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(config.digest.intervalSeconds * 1000, () => this.flushDigest());
    for (const channel of this.channels.values()) {
      if (channel instanceof AlertmanagerChannel) every(channel.repostIntervalMs, () => void this.repost(channel));
    }
    if (config.outbox.keepDays > 0) {
      every(3_600_000, () => {
        void this.outboxRef?.prune(this.now() - config.outbox.keepDays * 86_400_000).catch((err: unknown) => this.options.logger.warn({ err: (err as Error).message }, 'alert outbox prune failed'));
      });
    }
  }

  /** An incident was created or updated (ResponseListener.incident). */
  onIncident(incident: Incident, _created: boolean, reasons: readonly string[]): void {
    if (!this.options.config.enabled) return;
    const now = this.now();
    let levels = this.incidentTypes.get(incident.id);
    if (levels === undefined) {
      levels = new Map();
      this.incidentTypes.set(incident.id, levels);
      if (this.incidentTypes.size > MAX_TRACKED_INCIDENTS) {
        const oldest = this.incidentTypes.keys().next();
        if (!oldest.done) this.incidentTypes.delete(oldest.value);
      }
    }
    const types = [...new Set(incident.detections.map((d) => d.type))];
    for (const type of types) {
      const key = AlertGrouper.key(type, incident.subject);
      const previous = levels.get(type);
      if (previous !== undefined && rank(incident.level) <= rank(previous)) {
        // The same incident grew: refresh the figures of its alert quietly.
        const entry = this.activeFor(incident.id, type);
        if (entry !== undefined) {
          entry.pending = { incident, type, reasons };
          entry.alert.updatedAt = now;
        }
        continue;
      }
      levels.set(type, incident.level);
      const decision = this.grouper.decide(key, incident.level, now);
      if (decision.action === 'grouped') {
        const entry = this.active.get(decision.alertId);
        this.stats.suppressed.grouped++;
        if (entry !== undefined) {
          const previousIncident = entry.alert.incidentId;
          entry.alert.occurrences++;
          entry.alert.incidentId = incident.id;
          this.track(entry, previousIncident);
          entry.pending = { incident, type, reasons };
          this.settle(entry, now);
          this.feed.push({ action: 'grouped', alert: structuredClone(entry.alert), channels: [], at: now });
        }
        continue;
      }
      let alert: Alert;
      const fresh = alertFromIncident({ id: decision.action === 'new' ? this.ids.next() : decision.alertId, incident, type, level: incident.level, reasons, now, dashboardUrl: this.options.config.dashboardUrl });
      const existing = decision.action === 'escalate' ? this.active.get(decision.alertId) : undefined;
      if (decision.action === 'escalate') {
        alert = { ...fresh, revision: decision.revision, startsAt: existing?.alert.startsAt ?? fresh.startsAt, occurrences: (existing?.alert.occurrences ?? 0) + 1 };
      } else {
        alert = fresh;
      }
      this.grouper.sent(key, alert.id, alert.level, alert.revision, now);
      const entry: ActiveAlert = { alert, groupKey: key, channels: existing?.channels ?? new Set() };
      this.track(entry, existing?.alert.incidentId);
      this.send(entry, decision.action === 'new' ? 'new' : 'escalated', now);
    }
  }

  /** An incident ended: its alerts resolve (Alertmanager gets endsAt). */
  onResolved(incident: Incident): void {
    this.incidentTypes.delete(incident.id);
    const now = this.now();
    const ids = this.byIncident.get(incident.id);
    this.byIncident.delete(incident.id);
    for (const id of ids ?? []) {
      const entry = this.active.get(id);
      if (entry === undefined || entry.alert.incidentId !== incident.id) continue;
      this.active.delete(id);
      this.grouper.forget(entry.groupKey);
      this.settle(entry);
      const alert: Alert = { ...entry.alert, status: 'resolved', revision: entry.alert.revision + 1, endsAt: now, updatedAt: now };
      const deliveries: Delivery[] = [];
      const channels: string[] = [];
      for (const name of entry.channels) {
        if (this.channels.get(name) instanceof AlertmanagerChannel) {
          deliveries.push(newDelivery(alert, name, now));
          channels.push(name);
        }
      }
      this.enqueue(deliveries);
      this.feed.push({ action: 'resolved', alert: structuredClone(alert), channels, at: now });
    }
  }

  /** Sends the digest of LOW alerts collected since the last one (the timer calls this; tests may too). */
  flushDigest(): Alert | undefined {
    const now = this.now();
    const summary = this.digest.flush(now);
    if (summary === undefined) return undefined;
    const alert = digestAlert(this.ids.next(), summary, this.options.config.dashboardUrl);
    const channels = this.router.digestChannels(this.options.config.digest.channels);
    this.enqueue(channels.map((name) => newDelivery(alert, name, now)));
    this.feed.push({ action: 'digest', alert, channels, at: now });
    if (channels.length === 0) this.options.logger.warn({ alerts: summary.total }, 'alert digest has no channel to go to');
    return alert;
  }

  /** Write what is queued and stop delivering (in-flight attempts get a short grace, then stay pending). */
  async stop(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    if (this.writeRetry !== undefined) clearTimeout(this.writeRetry);
    await this.drainQueue();
    await this.dispatcher?.stop();
    for (const channel of this.channels.values()) await channel.close?.().catch(() => undefined);
  }

  /** True when nothing waits in memory (tests use it to know the outbox has everything). */
  get drained(): boolean {
    return this.queue.length === 0 && !this.writing;
  }

  private activeFor(incidentId: string, type: string): ActiveAlert | undefined {
    for (const id of this.byIncident.get(incidentId) ?? []) {
      const entry = this.active.get(id);
      if (entry !== undefined && entry.alert.type === type) return entry;
    }
    return undefined;
  }

  /** Makes `entry` the active alert of its incident (moving it from another incident when grouped). */
  private track(entry: ActiveAlert, previousIncident: string | undefined): void {
    const id = entry.alert.id;
    if (previousIncident !== undefined && previousIncident !== entry.alert.incidentId) this.untrack(id, previousIncident);
    this.active.delete(id);
    this.active.set(id, entry);
    const incidentId = entry.alert.incidentId;
    if (incidentId !== undefined) {
      let ids = this.byIncident.get(incidentId);
      if (ids === undefined) this.byIncident.set(incidentId, (ids = new Set()));
      ids.add(id);
    }
    if (this.active.size > MAX_ACTIVE) {
      const oldest = this.active.entries().next();
      if (!oldest.done) {
        this.active.delete(oldest.value[0]);
        this.untrack(oldest.value[0], oldest.value[1].alert.incidentId);
      }
    }
  }

  private untrack(alertId: string, incidentId: string | undefined): void {
    if (incidentId === undefined) return;
    const ids = this.byIncident.get(incidentId);
    ids?.delete(alertId);
    if (ids !== undefined && ids.size === 0) this.byIncident.delete(incidentId);
  }

  /** Folds the latest incident state into the alert's figures. */
  private settle(entry: ActiveAlert, now: number = entry.alert.updatedAt): Alert {
    const update = entry.pending;
    if (update === undefined) return entry.alert;
    entry.pending = undefined;
    const alert = entry.alert;
    const facts = incidentFacts(update.incident, update.type, update.reasons);
    alert.eventCount = Math.max(alert.eventCount, facts.eventCount);
    alert.confidence = Math.max(alert.confidence, facts.confidence);
    alert.evidence = facts.evidence;
    alert.updatedAt = now;
    return alert;
  }

  private send(entry: ActiveAlert, action: 'new' | 'escalated', now: number): void {
    const { alert } = entry;
    const routed = this.router.route(alert);
    const deliveries: Delivery[] = [];
    const sent: string[] = [];
    for (const name of routed) {
      if (name === DIGEST) {
        this.digest.add(alert, now);
        // Recorded for the API when there is an outbox; without channels and without the store there is none.
        if (this.outboxRef !== undefined || this.channels.size > 0) deliveries.push(newDelivery(alert, DIGEST, now, 'recorded'));
        continue;
      }
      if (!(this.limiters.get(name)?.tryTake(now) ?? true)) {
        this.stats.suppressed.rate_limited++;
        deliveries.push(newDelivery(alert, name, now, 'suppressed', 'rate_limited'));
        continue;
      }
      deliveries.push(newDelivery(alert, name, now));
      entry.channels.add(name);
      sent.push(name);
    }
    this.enqueue(deliveries);
    this.feed.push({ action, alert: structuredClone(alert), channels: routed, at: now });
    const subject = alert.subject?.scope === 'ip' ? maskIp(alert.subject.value) : alert.subject?.scope;
    const log = { alert: alert.id, revision: alert.revision, level: alert.level, type: alert.type, subject, channels: sent };
    if (rank(alert.level) >= rank('HIGH')) this.options.logger.warn(log, 'alert');
    else this.options.logger.info(log, 'alert');
  }

  private enqueue(deliveries: Delivery[]): void {
    if (deliveries.length === 0) return;
    const room = this.options.config.outbox.maxQueued - this.queue.length;
    if (room < deliveries.length) {
      const dropped = deliveries.length - Math.max(0, room);
      this.stats.suppressed.queue_full += dropped;
      this.options.logger.error({ dropped, queued: this.queue.length }, 'alert queue full (outbox unavailable?): deliveries dropped');
      deliveries = deliveries.slice(0, Math.max(0, room));
    }
    this.queue.push(...deliveries);
    this.stats.queued = this.queue.length;
    this.scheduleWrite();
  }

  private scheduleWrite(): void {
    if (this.writing || this.outboxRef === undefined || this.queue.length === 0 || this.writeRetry !== undefined) return;
    void this.drainQueue();
  }

  private async drainQueue(): Promise<void> {
    const outbox = this.outboxRef;
    if (outbox === undefined || this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.slice(0, WRITE_BATCH);
        try {
          await outbox.insert(batch);
        } catch (err) {
          this.options.logger.error({ err: (err as Error).message, queued: this.queue.length }, 'alert outbox write failed; retrying');
          this.writeRetry = setTimeout(() => {
            this.writeRetry = undefined;
            this.scheduleWrite();
          }, 1000);
          this.writeRetry.unref();
          return;
        }
        this.queue.splice(0, batch.length);
        this.stats.queued = this.queue.length;
        this.dispatcher?.wake();
      }
    } finally {
      this.writing = false;
    }
  }

  /** Alertmanager forgets an alert after its endsAt: post the firing ones again. */
  private async repost(channel: AlertmanagerChannel): Promise<void> {
    if (this.reposting.has(channel.name)) return;
    const alerts = [...this.active.values()].filter((e) => e.channels.has(channel.name) && e.alert.status === 'firing').map((e) => this.settle(e));
    if (alerts.length === 0) return;
    this.reposting.add(channel.name);
    const timeoutMs = (this.options.config.channels.find((c) => c.name === channel.name)?.timeoutSeconds ?? 10) * 1000;
    const s = channelStats(this.stats, channel.name);
    try {
      await channel.post(alerts, { signal: AbortSignal.timeout(timeoutMs), timeoutMs });
      s.deliveries++;
    } catch (err) {
      s.failures++;
      this.options.logger.warn({ channel: channel.name, alerts: alerts.length, err: (err as Error).message }, 'alertmanager re-post failed (next interval tries again)');
    } finally {
      this.reposting.delete(channel.name);
    }
  }

  /** Look for due deliveries now instead of at the next poll. */
  deliverNow(): void {
    this.dispatcher?.wake();
  }

  /** Re-post now (tests). */
  repostNow(): Promise<void[]> {
    return Promise.all([...this.channels.values()].filter((c): c is AlertmanagerChannel => c instanceof AlertmanagerChannel).map((c) => this.repost(c)));
  }
}
