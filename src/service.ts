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
import { VigilMetrics } from './metrics/registry.js';
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
  readonly enforcement = new EnforcementRegistry();
  private changeWaiters: (() => void)[] = [];
  readonly sourceCounters = new SourceCounters();
  private server: FastifyInstance | undefined;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private readonly ids = new IdGenerator('ev');
  private readonly clock: Clock;
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
    const detectors = createDetectors(config.detectors, relay, new IdGenerator('det'), {
      geoip: config.geoip,
      resolvePath: (path) => resolve(config.dataDir, path),
    });
    this.response = new ResponseStage(
      { config: config.response, ids: new IdGenerator('inc') },
      logger.child({ component: 'response' }),
      {
        decision: (decision, action) => {
          this.decisionsChanged();
          if (action === 'added') this.siem?.forward([fromDecision(decision)]);
          if (action === 'added') this.decisionSync?.share(decision);
        },
        // Until alert channels exist, an alert is a log line (and the incident in the API and metrics).
        alert: (incident, level) =>
          logger.warn({ incident: incident.id, level, scope: incident.subject.scope, detections: incident.detections.length }, 'alert'),
      },
    );
    this.pipeline = new Pipeline({
      response: this.response,
      eventSink: (events) => {
        if (this.siemWantsEvents) this.siem?.forward(events.map((event) => fromSecurityEvent(event)));
        this.writer?.append(events);
        this.sharedBruteForce?.observe(events, this.pipeline.watermark);
      },
      config: config.pipeline,
      detectors,
      outputs: this.outputs,
      clock: this.clock,
      mode: 'live',
      logger: logger.child({ component: 'pipeline' }),
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
      const writer = new EventWriter(this.store, { logger: logger.child({ component: 'store' }) });
      this.writer = writer;
      this.storeSink.target = writer.detectionSink();
      this.metrics.observeStore(writer);
      this.retentionTimer = setInterval(() => {
        void this.store?.runRetention(this.clock.now()).catch((err: unknown) => logger.error({ err }, 'retention failed'));
      }, 3_600_000);
      this.retentionTimer.unref();
    }
    this.pipeline.start();
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
        response: {
          stage: this.response,
          enforcement: this.enforcement,
          now: () => this.decisionTime(),
          waitForChange: (ms) => this.waitForDecisionChange(ms),
          changed: () => this.decisionsChanged(),
        },
        batchSize: config.pipeline.batchSize,
      });
      await this.server.listen({ host: config.server.host, port: config.server.port });
      const bound = this.server.server.address();
      if (bound !== null && typeof bound === 'object') this.address = { host: bound.address, port: bound.port };
    }
    await this.decisionSync?.start();
    for (const source of this.sources) await source.start();
    this.state = 'running';
    logger.info(
      {
        version: VERSION,
        address: this.address ? `http://${formatHost(this.address.host)}:${this.address.port}` : undefined,
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

  /** The time decisions are judged at: the later of the wall clock and the event-time watermark. */
  decisionTime(): number {
    return laterOf(this.clock.now(), this.pipeline.watermark);
  }

  private decisionsChanged(): void {
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
    for (const source of this.sources) await source.stop();
    // … then process everything queued and flush the sinks.
    if (this.sharedBruteForce !== undefined) {
      await this.pipeline.idle();
      await this.sharedBruteForce.flush();
    }
    await this.pipeline.stop();
    await this.stateStore?.close();
    if (this.retentionTimer !== undefined) clearInterval(this.retentionTimer);
    await this.writer?.close();
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
