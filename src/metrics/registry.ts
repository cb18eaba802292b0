import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Detector } from '../detect/detector.js';
import type { DetectionOutputs } from '../pipeline/detection-outputs.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SourceCounters } from '../sources/line-ingestor.js';
import type { DecisionSyncStats } from '../state/decision-sync.js';
import type { SharedBruteForceStats } from '../state/shared-brute-force.js';
import type { ResponseStage } from '../respond/response-stage.js';
import type { EventWriter } from '../store/index.js';
import type { DestinationStats, SiemForwarder } from '../siem/index.js';
import { THREAT_LEVELS } from '../core/threat-level.js';
import { AnomalousLoginDetector } from '../detect/anomaly/anomalous-login.js';
import { WebAttackDetector } from '../detect/web/web-attack-detector.js';
import type { EventMetrics } from './event-metrics.js';
import type { Alerting } from '../alert/alerting.js';
import type { SseHub } from '../api/live/sse-hub.js';
import type { IocManager } from '../intel/ioc-manager.js';
import type { FeedScheduler } from '../intel/feed-scheduler.js';
import type { IngestJournal } from '../pipeline/ingest-journal.js';

export interface IngestCounters {
  received: Counter<'source'>;
  rejected: Counter<'source' | 'reason'>;
}

/**
 * One registry per Vigil instance. Hot-path figures are plain numbers in the
 * pipeline's stats; the registry reads them at scrape time, so counting costs
 * nothing per event.
 */
export class VigilMetrics {
  readonly registry = new Registry();
  readonly ingest: IngestCounters;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'vigil_' });
    this.ingest = {
      received: new Counter({
        name: 'vigil_ingest_records_total',
        help: 'Records received by ingestion sources, valid or not.',
        labelNames: ['source'],
        registers: [this.registry],
      }),
      rejected: new Counter({
        name: 'vigil_ingest_rejected_total',
        help: 'Records refused at ingestion, by reason (invalid, queue_full, too_long, …).',
        labelNames: ['source', 'reason'],
        registers: [this.registry],
      }),
    };
  }

  /** The spec's security_* metrics of the response stage, read at scrape time. */
  observeResponse(stage: ResponseStage, now: () => number): void {
    const registers = [this.registry];
    const stats = stage.stats;
    for (const level of THREAT_LEVELS) {
      new Counter({
        name: `security_threats_${level.toLowerCase()}_total`,
        help: `Incidents that reached ${level}.`,
        registers,
        collect() {
          this.reset();
          this.inc(stats.threats[level]);
        },
      });
    }
    new Counter({
      name: 'security_penalties_total',
      help: 'Blocks decided, by type, duration category (short ≤ 300 s, medium ≤ 1800 s, long ≤ 3600 s, extended) and the IP offence count (first, few ≤ 3, multiple ≤ 10, excessive).',
      labelNames: ['penalty_type', 'duration_category', 'violation_count_category'],
      registers,
      collect() {
        this.reset();
        for (const p of stats.penalties.values()) {
          this.inc({ penalty_type: p.penaltyType, duration_category: p.duration, violation_count_category: p.violations }, p.count);
        }
      },
    });
    new Gauge({
      name: 'security_blocked_ips_current',
      help: 'IPs with an enforceable block decision now.',
      registers,
      collect() {
        this.set(stage.engine.status(now()).blockedIps);
      },
    });
    new Gauge({
      name: 'security_protection_mode_active',
      help: '1 while protection mode is on.',
      registers,
      collect() {
        this.set(stage.engine.protection.isActive(now()) ? 1 : 0);
      },
    });
  }

  /** Per SIEM destination: delivered, failed attempts, queued, spooled bytes, dead-lettered. */
  observeSiem(forwarder: SiemForwarder): void {
    const registers = [this.registry];
    const perDestination = (name: string, help: string, type: 'counter' | 'gauge', read: (s: DestinationStats) => number) => {
      const collect = function (this: Counter<'destination'> | Gauge<'destination'>) {
        this.reset();
        for (const s of forwarder.stats()) {
          if (this instanceof Counter) this.inc({ destination: s.name }, read(s));
          else this.set({ destination: s.name }, read(s));
        }
      };
      if (type === 'counter') new Counter({ name, help, labelNames: ['destination'], registers, collect });
      else new Gauge({ name, help, labelNames: ['destination'], registers, collect });
    };
    perDestination('vigil_siem_sent_total', 'Records delivered to a SIEM destination.', 'counter', (s) => s.sent);
    perDestination('vigil_siem_failed_total', 'Failed delivery attempts (retried).', 'counter', (s) => s.failed);
    perDestination('vigil_siem_dead_lettered_total', 'Records given up on (in the dead-letter file).', 'counter', (s) => s.deadLettered);
    perDestination('vigil_siem_refused_total', 'Records refused because the spool was full.', 'counter', (s) => s.refusedSpoolFull + s.droppedQueueFull);
    perDestination('vigil_siem_queued', 'Records waiting for delivery.', 'gauge', (s) => s.queued);
    perDestination('vigil_siem_spooled_bytes', 'Bytes in the destination spool.', 'gauge', (s) => s.spooledBytes);
  }

  /** The audit store's write path: backlog in memory and on disk, written, refused. */
  observeStore(writer: EventWriter): void {
    const registers = [this.registry];
    new Gauge({
      name: 'vigil_store_backlog_rows',
      help: 'Rows waiting for the database: in memory (pending) and in the on-disk spool (spooled).',
      labelNames: ['where'],
      registers,
      collect() {
        const s = writer.stats();
        this.set({ where: 'pending' }, s.pendingRows);
        this.set({ where: 'spooled' }, s.spooledRows);
      },
    });
    new Gauge({
      name: 'vigil_store_spool_bytes',
      help: 'Bytes in the store spool (written while the database was unreachable).',
      registers,
      collect() {
        this.set(writer.stats().spooledBytes);
      },
    });
    new Gauge({
      name: 'vigil_store_up',
      help: '1 while the database accepts writes.',
      registers,
      collect() {
        this.set(writer.stats().databaseUp ? 1 : 0);
      },
    });
    const counter = (name: string, help: string, read: () => number) => readCounter(registers, name, help, read);
    counter('vigil_store_written_rows_total', 'Rows written to the database.', () => writer.stats().writtenRows);
    counter('vigil_store_refused_rows_total', 'Rows refused because memory and spool were full.', () => writer.stats().refusedRows);
    counter('vigil_store_failed_writes_total', 'Write attempts that failed (retried from the spool).', () => writer.stats().failedWrites);
    counter('vigil_store_rejected_rows_total', 'Rows the database rejected as invalid (kept in spool/store/rejected.ndjson).', () => writer.stats().deadLetterRows);
  }

  /** Lines per source by outcome (event, skipped, error) and bytes read. */
  /** Shared state (state.backend redis): cross-instance brute force and decision sync. */
  observeState(shared: SharedBruteForceStats | undefined, sync: DecisionSyncStats): void {
    const registers = [this.registry];
    new Counter({
      name: 'vigil_state_window_failures_total',
      help: 'Login failures for the shared brute-force windows, by outcome: written, dropped (too many waiting for the store), error (failed round trips count their failures).',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        this.inc({ outcome: 'written' }, shared?.written ?? 0);
        this.inc({ outcome: 'dropped' }, shared?.dropped ?? 0);
        this.inc({ outcome: 'error' }, shared?.errors ?? 0);
      },
    });
    new Counter({
      name: 'vigil_state_shared_detections_total',
      help: 'Brute-force detections raised by this instance from the failures counted across all instances.',
      registers,
      collect() {
        this.reset();
        this.inc(shared?.raised ?? 0);
      },
    });
    new Counter({
      name: 'vigil_state_decisions_total',
      help: 'Decisions shared through the state store: shared (made here, stored and announced), applied (made by another instance), error.',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        this.inc({ outcome: 'shared' }, sync.shared);
        this.inc({ outcome: 'applied' }, sync.applied);
        this.inc({ outcome: 'error' }, sync.errors);
      },
    });
  }

  observeSources(counters: SourceCounters): void {
    const registers = [this.registry];
    new Counter({
      name: 'vigil_source_lines_total',
      help: 'Lines read by a source, by outcome: event, skipped (no security meaning), error (not understood; sampled in the log).',
      labelNames: ['source', 'outcome'],
      registers,
      collect() {
        this.reset();
        for (const [source, c] of counters.bySource) {
          this.inc({ source, outcome: 'event' }, c.events);
          this.inc({ source, outcome: 'skipped' }, c.skipped);
          this.inc({ source, outcome: 'error' }, c.errors);
        }
      },
    });
    new Counter({
      name: 'vigil_source_bytes_total',
      help: 'Bytes read by a source.',
      labelNames: ['source'],
      registers,
      collect() {
        this.reset();
        for (const [source, c] of counters.bySource) this.inc({ source }, c.bytes);
      },
    });
    new Counter({
      name: 'vigil_source_messages_total',
      help: 'Broker messages (NATS, Kafka) by outcome: consumed, acked (acknowledged or offset committed after acceptance), redelivered, retried (handed back: pipeline full), error.',
      labelNames: ['source', 'outcome'],
      registers,
      collect() {
        this.reset();
        for (const [source, c] of counters.messagesBySource) {
          this.inc({ source, outcome: 'consumed' }, c.consumed);
          this.inc({ source, outcome: 'acked' }, c.acked);
          this.inc({ source, outcome: 'redelivered' }, c.redelivered);
          this.inc({ source, outcome: 'retried' }, c.retried);
          this.inc({ source, outcome: 'error' }, c.errors);
        }
      },
    });
  }

  /** Threat intelligence: indicators in memory by type, matches by type, feed fetches by outcome. */
  observeIntel(manager: IocManager, feeds: FeedScheduler | undefined): void {
    const registers = [this.registry];
    new Gauge({
      name: 'vigil_ioc_indicators',
      help: 'Indicators of compromise held by the matcher, by type.',
      labelNames: ['type'],
      registers,
      collect() {
        for (const [type, n] of Object.entries(manager.matcher.counts())) this.set({ type }, n);
      },
    });
    new Counter({
      name: 'vigil_ioc_matches_total',
      help: 'Lookups that hit an indicator, by the indicator\'s type.',
      labelNames: ['type'],
      registers,
      collect() {
        this.reset();
        for (const [type, n] of Object.entries(manager.matcher.matches)) this.inc({ type }, n);
      },
    });
    new Counter({
      name: 'vigil_ioc_feed_fetches_total',
      help: 'Feed fetches by outcome: success (imported), not_modified (304 or unchanged file), failure (stored indicators kept).',
      labelNames: ['feed', 'outcome'],
      registers,
      collect() {
        this.reset();
        for (const s of feeds?.stats.values() ?? []) {
          this.inc({ feed: s.name, outcome: 'success' }, s.successes);
          this.inc({ feed: s.name, outcome: 'not_modified' }, s.notModified);
          this.inc({ feed: s.name, outcome: 'failure' }, s.failures);
        }
      },
    });
    new Gauge({
      name: 'vigil_ioc_feed_last_success_timestamp_seconds',
      help: 'When a feed last imported a document (epoch seconds; 0: never).',
      labelNames: ['feed'],
      registers,
      collect() {
        for (const s of feeds?.stats.values() ?? []) this.set({ feed: s.name }, (s.lastSuccessAt ?? 0) / 1000);
      },
    });
    const counter = (name: string, help: string, read: () => number) => readCounter(registers, name, help, read);
    counter('vigil_ioc_imported_total', 'Indicators inserted or updated (feeds, API, this process).', () => manager.stats.imported);
    counter('vigil_ioc_invalid_total', 'Feed or API values refused as invalid indicators.', () => manager.stats.invalid);
    counter('vigil_ioc_expired_total', 'Indicators removed on expiry.', () => manager.stats.expired);
    counter('vigil_ioc_sync_errors_total', 'Failed reads of the store\'s changed indicators (retried).', () => manager.stats.syncErrors);
  }

  /** Register the pipeline's gauges and counters, read at scrape time. */
  observePipeline(pipeline: Pipeline, outputs: DetectionOutputs, detectors: readonly Detector[]): void {
    const registers = [this.registry];
    const stats = pipeline.stats;
    new Gauge({
      name: 'vigil_pipeline_queue_depth',
      help: 'Items waiting in a pipeline queue.',
      labelNames: ['queue'],
      registers,
      collect() {
        this.set({ queue: 'events' }, pipeline.queue.size);
        this.set({ queue: 'detections' }, outputs.depth);
      },
    });
    new Gauge({
      name: 'vigil_pipeline_queue_capacity',
      help: 'Capacity of a pipeline queue.',
      labelNames: ['queue'],
      registers,
      collect() {
        this.set({ queue: 'events' }, pipeline.queue.capacity);
        this.set({ queue: 'detections' }, outputs.capacity);
      },
    });
    new Gauge({
      name: 'vigil_pipeline_backpressure',
      help: '1 while the event queue is full and ingestion answers 503, else 0.',
      registers,
      collect() {
        this.set(pipeline.queue.free === 0 ? 1 : 0);
      },
    });
    const counter = (name: string, help: string, read: () => number) => readCounter(registers, name, help, read);
    counter('vigil_pipeline_events_accepted_total', 'Events accepted into the pipeline.', () => stats.accepted);
    counter('vigil_pipeline_events_processed_total', 'Events run through the detectors.', () => stats.processed);
    counter('vigil_pipeline_events_rejected_total', 'Events refused because the queue was full (503).', () => stats.rejectedQueueFull);
    counter('vigil_pipeline_events_clamped_total', 'Events stamped too far in the future, clamped to the wall clock.', () => stats.clampedFuture);
    counter('vigil_pipeline_output_stalls_total', 'Times processing paused because sinks were behind.', () => stats.outputStalls);
    counter('vigil_detector_seconds_total', 'Time spent in detectors.', () => stats.detectSeconds);
    counter('vigil_detections_opened_total', 'Detections raised.', () => stats.detectionsOpened);
    counter('vigil_detections_closed_total', 'Detections closed after their window passed.', () => stats.detectionsClosed);
    counter('vigil_sink_errors_total', 'Sink write failures.', () => outputs.stats.sinkErrors);
    new Counter({
      name: 'security_monitoring_errors_total',
      help: 'Errors inside monitoring (a component threw on an event; sink failures), by type.',
      labelNames: ['error_type'],
      registers,
      collect() {
        this.reset();
        for (const [type, n] of stats.errors) this.inc({ error_type: type }, n);
        if (outputs.stats.sinkErrors > 0) this.inc({ error_type: 'sink' }, outputs.stats.sinkErrors);
      },
    });
    new Gauge({
      name: 'vigil_pipeline_watermark_seconds',
      help: 'Event-time watermark (largest event time seen), epoch seconds.',
      registers,
      collect() {
        this.set(Number.isFinite(pipeline.watermark) ? pipeline.watermark / 1000 : 0);
      },
    });
    new Gauge({
      name: 'vigil_detector_tracked_keys',
      help: 'Keys (IPs, users, …) a detector holds state for.',
      labelNames: ['detector'],
      registers,
      collect() {
        for (const d of detectors) this.set({ detector: d.name }, d.stats().trackedKeys);
      },
    });
    new Counter({
      name: 'vigil_detector_evicted_keys_total',
      help: 'Keys a detector dropped to stay within its memory bound (not by age).',
      labelNames: ['detector'],
      registers,
      collect() {
        this.reset();
        for (const d of detectors) this.inc({ detector: d.name }, d.stats().evictedKeys);
      },
    });
  }

  /** Alerting: outbox depth, deliveries, failures, retries per channel, suppressed alerts by reason. */
  observeAlerts(alerting: Alerting): void {
    const registers = [this.registry];
    const stats = alerting.stats;
    new Gauge({
      name: 'vigil_alert_outbox_depth',
      help: 'Alert deliveries in the outbox by state: pending (waiting for a first try or a retry) and dead (given up).',
      labelNames: ['state'],
      registers,
      collect() {
        this.set({ state: 'pending' }, stats.depth.pending);
        this.set({ state: 'dead' }, stats.depth.dead);
      },
    });
    const perChannel = (name: string, help: string, read: (s: { deliveries: number; failures: number; retries: number }) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['channel'],
        registers,
        collect() {
          this.reset();
          for (const [channel, s] of stats.channels) this.inc({ channel }, read(s));
        },
      });
    perChannel('vigil_alert_deliveries_total', 'Alert messages a channel accepted.', (s) => s.deliveries);
    perChannel('vigil_alert_delivery_failures_total', 'Failed delivery attempts (retried, or dead-lettered after alerts.outbox.maxAttempts).', (s) => s.failures);
    perChannel('vigil_alert_retries_total', 'Deliveries scheduled for another attempt.', (s) => s.retries);
    new Counter({
      name: 'vigil_alert_suppressed_total',
      help: 'Alerts not sent: grouped (same type and subject within the group window), rate_limited (channel limit), queue_full (outbox unavailable and the memory queue full).',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(stats.suppressed)) this.inc({ reason }, n);
      },
    });
  }

  /** Analyst suppressions: active ones and the detections they kept out of the response stage. */
  observeSuppressions(stage: ResponseStage): void {
    const registers = [this.registry];
    readCounter(registers, 'vigil_suppressed_detections_total', 'Detections ignored because an analyst suppressed their (detector, subject).', () => stage.stats.suppressed);
    readCounter(registers, 'vigil_suppressions_evicted_total', 'Suppressions dropped early to stay within response.suppressions.maxEntries.', () => stage.engine.suppressions.evicted);
    new Gauge({
      name: 'vigil_suppressions_active',
      help: 'Suppressions held (expired ones are dropped when next listed or matched).',
      registers,
      collect() {
        this.set(stage.engine.suppressions.size);
      },
    });
  }

  /** The dashboard's live stream: clients, and messages dropped for clients that read too slowly. */
  observeDashboard(hub: SseHub): void {
    const registers = [this.registry];
    new Gauge({
      name: 'vigil_dashboard_stream_clients',
      help: 'Connected live-stream (SSE) clients.',
      registers,
      collect() {
        this.set(hub.size);
      },
    });
    readCounter(registers, 'vigil_dashboard_stream_dropped_total', 'Live-stream messages dropped for clients whose buffer was full (they reload on catching up).', () => hub.dropped);
    readCounter(registers, 'vigil_dashboard_stream_refused_total', 'Live-stream clients refused beyond ui.maxStreamClients.', () => hub.refused);
  }

  /** API requests refused by the per-token rate limit, by route scope. */
  readonly apiRateLimited = new Counter({
    name: 'vigil_api_rate_limited_total',
    help: 'API requests refused with 429 by the per-token (or per-client-address) rate limit, by route scope.',
    labelNames: ['scope'],
    registers: [this.registry],
  });

  observeJournal(journal: IngestJournal): void {
    const registers = [this.registry];
    new Gauge({
      name: 'vigil_ingest_journal_bytes',
      help: 'Bytes in the ingest write-ahead journal (accepted events not yet known to be in the store or its spool).',
      registers,
      collect() {
        this.set(journal.stats().bytes);
      },
    });
    new Gauge({
      name: 'vigil_ingest_journal_unsettled_events',
      help: 'Events journaled but not yet durable in the store or its spool.',
      registers,
      collect() {
        const s = journal.stats();
        this.set(s.appended - s.settled);
      },
    });
    readCounter(registers, 'vigil_ingest_journal_refused_total', 'Events refused because the journal was full.', () => journal.stats().refused);
  }
}

/**
 * The per-event security metrics (security_events_total, login_*, the
 * violation counters, …) counted by `events`, plus what the detectors and the
 * incident tracker keep; see event-metrics.ts.
 */
export function observeEvents(metrics: VigilMetrics, events: EventMetrics, detectors: readonly Detector[], response?: ResponseStage): void {
  const web = detectors.find((d): d is WebAttackDetector => d instanceof WebAttackDetector);
  const anomaly = detectors.find((d): d is AnomalousLoginDetector => d instanceof AnomalousLoginDetector);
  events.register(metrics.registry, {
    ...(web === undefined ? {} : { webFindings: () => web.httpFindings }),
    ...(anomaly === undefined ? {} : { anomalyScore: () => anomaly.lastScore }),
  });
  if (response === undefined) return;
  const registers = [metrics.registry];
  new Gauge({
    name: 'vigil_incidents_open',
    help: 'Open incidents (by subject IP or user).',
    registers,
    collect() {
      this.set(response.engine.incidents.size);
    },
  });
  readCounter(registers, 'vigil_incidents_evicted_total', 'Incidents resolved early because maxOpenIncidents was reached.', () => response.engine.incidents.evicted);
}

/** A counter whose value is read from plain numbers at scrape time (nothing to do per event). */
function readCounter(registers: Registry[], name: string, help: string, read: () => number): Counter {
  return new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}
