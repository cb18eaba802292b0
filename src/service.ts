import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildServer } from './api/server.js';
import { systemClock, type Clock } from './core/clock.js';
import type { VigilConfig } from './core/config.js';
import type { Detection } from './core/detection.js';
import { IdGenerator } from './core/ids.js';
import { VERSION } from './core/version.js';
import { createDetectors } from './detect/index.js';
import type { DetectionListener } from './detect/detector.js';
import { VigilMetrics, observeEvents } from './metrics/registry.js';
import { EventMetrics } from './metrics/event-metrics.js';
import { GeoIp } from './enrich/geoip.js';
import { DetectionOutputs } from './pipeline/detection-outputs.js';
import { Pipeline } from './pipeline/pipeline.js';
import { EnforcementRegistry } from './respond/enforcement.js';
import { ResponseStage } from './respond/response-stage.js';
import { DetectionStore } from './sinks/detection-store.js';
import { NdjsonFileSink } from './sinks/ndjson-file.js';
import type { DetectionSink } from './sinks/sink.js';
import { createSource } from './sources/index.js';
import { EventWriter, openStore, type Store } from './store/index.js';
import { LateSink } from './sinks/late-sink.js';
import { SiemForwarder } from './siem/forwarder.js';
import { fromDecision, fromSecurityEvent } from './siem/record.js';
import { SourceCounters } from './sources/line-ingestor.js';
import type { Source } from './sources/source.js';
import type { HealRunner } from './k8s/runner.js';
import { Alerting } from './alert/alerting.js';
import { createChannels } from './alert/channels/index.js';
import { AlertOutbox } from './alert/outbox.js';
import { LiveFeed } from './api/live/live-feed.js';
import { LiveStats } from './api/live/live-stats.js';
import { RecentAlerts } from './api/live/recent-alerts.js';
import { SseHub } from './api/live/sse-hub.js';
import { FeedScheduler } from './intel/feed-scheduler.js';
import { IocManager } from './intel/ioc-manager.js';
import { IocRepository } from './intel/ioc-repository.js';
import { IocMatcher } from './intel/matcher.js';
import { IngestJournal } from './pipeline/ingest-journal.js';
import { NatsAlertSink } from './sinks/nats-alerts.js';
import { KafkaAlertSink } from './sinks/kafka-alerts.js';
import { hostname } from 'node:os';
import { createStateStore, type StateStore } from './state/index.js';
import { DecisionSync } from './state/decision-sync.js';
import { SharedBruteForce } from './state/shared-brute-force.js';

export interface ServiceOptions {
  config: VigilConfig;
  logger: Logger;
  clock?: Clock;
  /** Extra sinks (tests, embedding). */
  sinks?: DetectionSink[];
}

/**
 * The running service: pipeline, detectors, sinks and the HTTP API, wired
 * from config. `start()` listens; `stop()` stops accepting, drains every
 * accepted event through the detectors and flushes the sinks.
 */
export class VigilService {
  readonly pipeline: Pipeline;
  readonly detections: DetectionStore;
  readonly metrics: VigilMetrics;
  /** Per-event security metrics (security_events_total, login_*, …), counted per batch. */
  readonly eventMetrics: EventMetrics;
  readonly outputs: DetectionOutputs;
  readonly sources: Source[] = [];
  /** The audit store, once started (store.enabled). */
  store: Store | undefined;
  writer: EventWriter | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  /** Forwards detections, decisions and (when a destination asks for them) events to SIEMs, spooled on disk. */
  siem: SiemForwarder | undefined;
  /** Events are copied to the forwarder only when some destination's filter takes them. */
  private readonly siemWantsEvents: boolean;
  /** Forwards detections to the store's writer once it is open. */
  private readonly storeSink = new LateSink('store');
  readonly response: ResponseStage;
  /**
   * Alerting: incidents → routed, grouped, rate-limited alerts → durable outbox → channels.
   * Also the live feed for the dashboard: `alerts.recent(n)` (newest first) and
   * `alerts.on('alert', (item) => …)` (returns the unsubscribe function).
   */
  readonly alerts: Alerting;
  /** The outbox's own SQLite database when store.enabled is false. */
  private alertStore: Store | undefined;
  readonly enforcement = new EnforcementRegistry();
  private changeWaiters: (() => void)[] = [];
  readonly sourceCounters = new SourceCounters();
  /** The Kubernetes self-healing controller (heal.enabled). */
  heal: HealRunner | undefined;
  private server: FastifyInstance | undefined;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private readonly ids = new IdGenerator('ev');
  private readonly clock: Clock;
  /** Recent alerts for the dashboard feed, copied from the alert feed (new, escalated, resolved, digest). */
  readonly recentAlerts: RecentAlerts;
  /** The dashboard's live feed and its SSE clients (ui.enabled). */
  readonly live: { feed: LiveFeed; hub: SseHub; stats: LiveStats } | undefined;
  /** The IOCs in memory, read by the known-threat-source detector; filled at start (intel.enabled). */
  readonly iocMatcher = new IocMatcher();
  /** Threat intelligence, once started. */
  intel: IocManager | undefined;
  feeds: FeedScheduler | undefined;
  private intelTimers: NodeJS.Timeout[] = [];
  /** Write-ahead journal of accepted events (store enabled and pipeline.journal.enabled). */
  journal: IngestJournal | undefined;
  /** Events replayed from the journal at start (left by a crashed run). */
  replayedFromJournal = 0;
  /** Shared state (state.backend redis): brute force across instances and their decisions. Absent with the memory backend. */
  readonly stateStore: StateStore | undefined;
  readonly sharedBruteForce: SharedBruteForce | undefined;
  readonly decisionSync: DecisionSync | undefined;

  constructor(private readonly options: ServiceOptions) {
    const { config, logger } = options;
    this.clock = options.clock ?? systemClock;
    this.metrics = new VigilMetrics();
    this.detections = new DetectionStore(config.server.maxDetectionsKept);
    const sinks: DetectionSink[] = [this.detections];
    if (config.sinks.detectionsFile.enabled) {
      sinks.push(new NdjsonFileSink(resolve(config.dataDir, config.sinks.detectionsFile.path)));
    }
    sinks.push(this.storeSink);
    this.siemWantsEvents = config.siem.destinations.some((d) => d.enabled && d.filter.kinds.includes('event'));
    if (config.siem.destinations.some((d) => d.enabled)) {
      this.siem = new SiemForwarder({
        config: config.siem,
        spoolDir: resolve(config.dataDir, config.siem.spoolDir),
        logger: logger.child({ component: 'siem' }),
      });
      sinks.push(this.siem);
      this.metrics.observeSiem(this.siem);
    }
    if (config.sinks.nats.enabled) sinks.push(new NatsAlertSink(config.sinks.nats, logger.child({ component: 'nats-alerts' })));
    if (config.sinks.kafka.enabled) sinks.push(new KafkaAlertSink(config.sinks.kafka, logger.child({ component: 'kafka-alerts' })));
    sinks.push(...(options.sinks ?? []));
    this.outputs = new DetectionOutputs(sinks, config.pipeline.outputQueueCapacity, logger);
    // Detectors report to the pipeline, which is built right after them.
    const relay: DetectionListener = {
      opened: (d: Detection) => this.pipeline.opened(d),
      closed: (d: Detection) => this.pipeline.closed(d),
    };
    // One GeoIP reader (loaded on first lookup) for the detectors and the by-country metric.
    const wantsGeo = config.detectors.impossibleTravel.enabled || config.metrics.countryLookup;
    const locator = config.geoip.enabled && wantsGeo ? new GeoIp(config.geoip) : undefined;
    const detectors = createDetectors(config.detectors, relay, new IdGenerator('det'), {
      geoip: config.geoip,
      resolvePath: (path) => resolve(config.dataDir, path),
      ...(locator === undefined ? {} : { locator }),
      iocMatcher: this.iocMatcher,
    });
    this.alerts = new Alerting({
      config: config.alerts,
      channels: config.alerts.enabled ? createChannels(config.alerts.channels, config.alerts.templates) : [],
      logger: logger.child({ component: 'alert' }),
      now: () => this.clock.now(),
    });
    this.metrics.observeAlerts(this.alerts);
    this.response = new ResponseStage(
      { config: config.response, ids: new IdGenerator('inc') },
      logger.child({ component: 'response' }),
      {
        decision: (decision, action) => {
          this.decisionsChanged();
          if (action === 'added') {
            this.siem?.forward([fromDecision(decision)]);
            this.decisionSync?.share(decision);
          }
        },
        incident: (incident, created, reasons) => {
          this.alerts.onIncident(incident, created, reasons);
          this.live?.feed.incidentChanged(incident);
        },
        resolved: (incident) => {
          this.alerts.onResolved(incident);
          this.live?.feed.incidentChanged(incident);
        },
      },
    );
    const incidents = this.response.engine.incidents;
    this.eventMetrics = new EventMetrics(config.metrics, {
      levelOf: (ip) => (incidents.size === 0 ? undefined : incidents.openFor('ip', ip)?.level),
      ...(locator === undefined || !config.metrics.countryLookup ? {} : { locator }),
    });
    // The dashboard's alerts feed: what the alert manager raised, escalated, resolved or digested.
    this.recentAlerts = new RecentAlerts(config.ui.recentAlerts);
    this.alerts.on('alert', (item) => {
      if (item.action === 'grouped') return;
      const alert = item.alert;
      this.recentAlerts.record({
        at: item.at,
        level: alert.level,
        title: item.action === 'resolved' ? `resolved: ${alert.summary}` : alert.summary,
        ...(alert.incidentId === undefined ? {} : { incidentId: alert.incidentId }),
        ...(alert.subject === undefined ? {} : { subject: alert.subject }),
        source: item.action === 'digest' ? 'digest' : 'alerting',
      });
    });
    if (config.ui.enabled) {
      const stats = new LiveStats({ historySeconds: config.ui.historySeconds, topWindowSeconds: config.ui.topWindowSeconds, maxKeys: config.ui.maxTopKeys });
      const hub = new SseHub({ maxClients: config.ui.maxStreamClients, maxBufferedBytes: config.ui.streamBufferBytes });
      const feed = new LiveFeed({ stage: this.response, stats, alerts: this.recentAlerts, hub, now: () => this.decisionTime(), wallNow: () => this.clock.now() });
      this.live = { feed, hub, stats };
      this.metrics.observeDashboard(hub);
    }
    this.metrics.observeSuppressions(this.response);
    this.pipeline = new Pipeline({
      response: this.response,
      onBatch: (events, seconds) => this.eventMetrics.observeBatch(events, seconds),
      eventSink: (events) => {
        if (this.siemWantsEvents) this.siem?.forward(events.map((event) => fromSecurityEvent(event)));
        this.writer?.append(events);
        this.live?.stats.record(events);
        this.sharedBruteForce?.observe(events, this.pipeline.watermark);
      },
      config: config.pipeline,
      detectors,
      outputs: this.outputs,
      clock: this.clock,
      mode: 'live',
      logger: logger.child({ component: 'pipeline' }),
      journal: { append: (events) => this.journal?.append(events) },
    });
    if (config.state.backend !== 'memory') {
      // With one instance the in-memory detectors and decisions are the whole truth; only several instances need this.
      const state = createStateStore(config.state, logger.child({ component: 'state' }));
      this.stateStore = state;
      const instance = config.state.instanceId ?? `${hostname()}-${process.pid}`;
      if (config.detectors.bruteForce.enabled) {
        this.sharedBruteForce = new SharedBruteForce({
          store: state,
          config: config.detectors.bruteForce,
          listener: relay,
          ids: new IdGenerator('det'),
          maxPending: config.state.maxPendingEntries,
          logger: logger.child({ component: 'state' }),
        });
      }
      this.decisionSync = new DecisionSync({
        store: state,
        decisions: this.response.engine.decisions,
        instance,
        now: () => this.decisionTime(),
        changed: () => this.decisionsChanged(),
        logger: logger.child({ component: 'state' }),
      });
      this.metrics.observeState(this.sharedBruteForce?.stats, this.decisionSync.stats);
    }
    this.metrics.observePipeline(this.pipeline, this.outputs, detectors);
    this.metrics.observeSources(this.sourceCounters);
    this.metrics.observeResponse(this.response, () => this.decisionTime());
    observeEvents(this.metrics, this.eventMetrics, detectors, this.response);
    for (const point of config.enforcement.points) this.enforcement.register(point.name, point.kind, point.apiKey, this.clock.now());
    for (const sourceConfig of config.sources) {
      this.sources.push(
        createSource(
          sourceConfig,
          {
            pipeline: this.pipeline,
            ids: this.ids,
            now: () => this.clock.now(),
            logger: logger.child({ component: 'source' }),
            counters: this.sourceCounters,
            dataDir: resolve(config.dataDir),
            timeZone: config.timeZone,
          },
          config.pipeline.batchSize,
        ),
      );
    }
  }

  /** The bound address once listening (port 0 picks a free one). */
  address: { host: string; port: number } | undefined;

  async start(): Promise<void> {
    const { config, logger } = this.options;
    if (config.store.enabled) {
      this.store = await openStore(config.store, resolve(config.dataDir), { logger: logger.child({ component: 'store' }) });
      if (config.pipeline.journal.enabled) {
        this.journal = new IngestJournal(resolve(config.dataDir, 'journal'), config.pipeline.journal);
        this.metrics.observeJournal(this.journal);
      }
      const journal = this.journal;
      const writer = new EventWriter(this.store, {
        logger: logger.child({ component: 'store' }),
        onSettled: journal === undefined ? undefined : (count) => journal.settle(count),
      });
      this.writer = writer;
      this.storeSink.target = writer.detectionSink();
      this.metrics.observeStore(writer);
      this.retentionTimer = setInterval(() => {
        void this.store?.runRetention(this.clock.now()).catch((err: unknown) => logger.error({ err }, 'retention failed'));
      }, 3_600_000);
      this.retentionTimer.unref();
    }
    await this.openAlertOutbox();
    if (config.intel.enabled) await this.startIntel();
    this.pipeline.start();
    this.live?.feed.start();
    await this.replayJournal();
    if (config.server.enabled) {
      this.server = await buildServer({
        config: config.server,
        auth: config.auth,
        pipeline: this.pipeline,
        detections: this.detections,
        metrics: this.metrics,
        ids: this.ids,
        now: () => this.clock.now(),
        logger,
        version: VERSION,
        ready: () => this.state === 'running',
        retryAfterSeconds: config.pipeline.retryAfterSeconds,
        store: this.store,
        vigilConfig: config,
        response: {
          stage: this.response,
          enforcement: this.enforcement,
          now: () => this.decisionTime(),
          waitForChange: (ms) => this.waitForDecisionChange(ms),
          changed: () => this.decisionsChanged(),
        },
        live: this.live === undefined ? undefined : { feed: this.live.feed, hub: this.live.hub },
        batchSize: config.pipeline.batchSize,
        alerts: this.alerts,
        intel:
          this.intel === undefined
            ? undefined
            : { manager: this.intel, feeds: this.feeds, maxCheckValues: config.intel.maxCheckValues, store: this.store },
        admission: () => this.admission(),
      });
      await this.server.listen({ host: config.server.host, port: config.server.port });
      const bound = this.server.server.address();
      if (bound !== null && typeof bound === 'object') this.address = { host: bound.address, port: bound.port };
    }
    await this.decisionSync?.start();
    for (const source of this.sources) await source.start();
    if (config.heal.enabled) {
      // Loaded only when enabled: the Kubernetes client takes seconds to import.
      const [{ loadKubeConfig }, { startHealRunner }] = await Promise.all([import('./k8s/kubeconfig.js'), import('./k8s/runner.js')]);
      this.heal = await startHealRunner(config.heal, loadKubeConfig(config.heal.kubeconfig), logger.child({ component: 'heal' }), this.store);
    }
    this.state = 'running';
    logger.info(
      {
        version: VERSION,
        address: this.address
          ? `${config.server.tls.enabled ? 'https' : 'http'}://${formatHost(this.address.host)}:${this.address.port}`
          : undefined,
        dataDir: resolve(config.dataDir),
        detectors: this.pipeline.detectors.map((d) => d.name),
        sources: ['http', ...this.sources.map((s) => s.name)],
        tokens: config.auth.tokens.length,
      },
      'vigil started',
    );
    if (config.auth.tokens.length === 0 && !isLoopbackHost(config.server.host)) {
      logger.warn('no API tokens configured and listening beyond loopback: only loopback clients can use the API');
    }
  }

  /**
   * The alert outbox lives in the store's database. With the store off it is
   * an SQLite file of its own in the data dir (alerts.outbox.file), so alerts
   * stay durable either way; with no channel configured there is nothing to
   * deliver and no file is made (alerts are still in the feed and the log).
   */
  private async openAlertOutbox(): Promise<void> {
    const { config, logger } = this.options;
    if (!config.alerts.enabled) return;
    let store = this.store;
    if (store === undefined) {
      if (this.alerts.channels.size === 0) return;
      const url = config.alerts.outbox.file === ':memory:' ? 'sqlite::memory:' : `sqlite:${resolve(config.dataDir, config.alerts.outbox.file)}`;
      store = await openStore({ ...config.store, url }, resolve(config.dataDir), { logger: logger.child({ component: 'alert' }) });
      this.alertStore = store;
      logger.info({ file: url }, 'store disabled: the alert outbox has its own SQLite file');
    }
    this.alerts.attach(new AlertOutbox(store.db, store.kind));
    const restored = await this.alerts.restoreGroups();
    if (restored > 0) logger.info({ groups: restored }, 'alert groups restored from the outbox');
    this.alerts.startTimers();
  }

  /** IOCs: load the stored ones into the matcher, start the feeds, keep syncing and expiring. */
  private async startIntel(): Promise<void> {
    const { config, logger } = this.options;
    const intelLogger = logger.child({ component: 'intel' });
    const repository = this.store === undefined ? undefined : new IocRepository(this.store.db, this.store.kind, () => this.clock.now());
    const manager = new IocManager(repository, { now: () => this.clock.now(), logger: intelLogger, matcher: this.iocMatcher });
    const loaded = await manager.load();
    if (loaded > 0) intelLogger.info({ indicators: this.iocMatcher.size }, 'ioc: indicators loaded from the store');
    this.feeds = new FeedScheduler(config.intel.feeds, manager, {
      dataDir: resolve(config.dataDir),
      now: () => this.clock.now(),
      logger: intelLogger,
      maxEntriesPerFeed: config.intel.maxEntriesPerFeed,
    });
    this.intel = manager;
    this.metrics.observeIntel(manager, this.feeds);
    await this.feeds.start();
    const every = (seconds: number, task: () => Promise<unknown>) => {
      const timer = setInterval(() => void task().catch((err: unknown) => intelLogger.error({ err }, 'ioc maintenance failed')), seconds * 1000);
      timer.unref();
      this.intelTimers.push(timer);
    };
    if (repository !== undefined) every(config.intel.syncIntervalSeconds, () => manager.syncQuietly());
    every(config.intel.expireIntervalSeconds, () => manager.expire());
  }

  /**
   * Events a previous run accepted (2xx) but had not yet handed to the store
   * — a crash — go through the pipeline again before anything new is
   * accepted. The store skips the ones it already has (event ids are keys).
   */
  private async replayJournal(): Promise<void> {
    const journal = this.journal;
    if (journal === undefined) return;
    const events = journal.recover();
    if (events.length === 0) return;
    const { logger, config } = this.options;
    logger.warn({ events: events.length, corruptLines: journal.stats().corruptLines }, 'replaying the ingest journal left by the previous run');
    journal.replaying = true;
    try {
      const step = Math.min(config.pipeline.batchSize, this.pipeline.queue.capacity);
      for (let i = 0; i < events.length; i += step) {
        const chunk = events.slice(i, i + step);
        // The queue drains as the pipeline processes: wait for room (unless stopped meanwhile).
        while (!(await this.pipeline.offerWait(chunk, 1000))) if (this.state !== 'new') return;
      }
    } finally {
      journal.replaying = false;
    }
    this.replayedFromJournal = events.length;
  }

  /**
   * Why new events would be refused right now (answered as 503 by the API,
   * and readyz is not ready), or undefined when they are welcome.
   */
  admission(): { code: string; message: string } | undefined {
    if (this.writer?.refusing() === true) {
      return {
        code: 'VIGIL_E_STORE_BACKLOG_FULL',
        message: 'the store cannot take more events: the database is unreachable and the spool is full (store.spool.maxBytes), or the in-memory backlog is at store.maxPendingRows; retry later',
      };
    }
    if (this.journal?.full() === true) {
      return {
        code: 'VIGIL_E_JOURNAL_FULL',
        message: 'the ingest journal is full (pipeline.journal.maxBytes): events are accepted faster than the store takes them; retry later',
      };
    }
    return undefined;
  }

  /** The time decisions are judged at: the later of the wall clock and the event-time watermark. */
  decisionTime(): number {
    return laterOf(this.clock.now(), this.pipeline.watermark);
  }

  private decisionsChanged(): void {
    this.live?.feed.poke();
    for (const wake of this.changeWaiters.splice(0)) wake();
  }

  private waitForDecisionChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.changeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Graceful stop: nothing accepted is lost. */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    const { logger } = this.options;
    // Stop accepting (in-flight requests finish and their events are queued) …
    if (this.server !== undefined) await this.server.close();
    await this.heal?.stop();
    for (const source of this.sources) await source.stop();
    // … then process everything queued and flush the sinks.
    if (this.sharedBruteForce !== undefined) {
      await this.pipeline.idle();
      await this.sharedBruteForce.flush();
    }
    await this.pipeline.stop();
    await this.alerts.stop();
    await this.alertStore?.close();
    this.live?.feed.stop();
    for (const timer of this.intelTimers.splice(0)) clearInterval(timer);
    this.feeds?.stop();
    await this.feeds?.idle();
    await this.stateStore?.close();
    if (this.retentionTimer !== undefined) clearInterval(this.retentionTimer);
    await this.writer?.close();
    this.journal?.close();
    await this.store?.close();
    this.state = 'stopped';
    const stats = this.pipeline.stats;
    logger.info(
      {
        accepted: stats.accepted,
        processed: stats.processed,
        rejectedQueueFull: stats.rejectedQueueFull,
        detectionsOpened: stats.detectionsOpened,
        detectionsClosed: stats.detectionsClosed,
      },
      'vigil stopped',
    );
  }
}

/** Decisions are made in event time; enforcement asks in wall time: use the later of the two. */
function laterOf(a: number, b: number): number {
  return Number.isFinite(b) && b > a ? b : a;
}

function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
