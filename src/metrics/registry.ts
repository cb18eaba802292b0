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
