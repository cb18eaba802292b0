import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { silentLogger } from '../core/logger.js';
import type { DetectionRecord, DetectionSink } from '../sinks/sink.js';
import type { SiemConfig, SiemDestinationConfig } from './config.js';
import { SiemDestination, type DestinationStats } from './destination.js';
import { SiemConfigError } from './errors.js';
import { fromDetectionRecord, type SiemRecord } from './record.js';
import type { SiemTransport } from './transport.js';
import { createTransport } from './transports/index.js';

export interface SiemForwarderOptions {
  /** Validated configuration (see parseSiemConfig); disabled destinations are skipped. */
  config: Pick<SiemConfig, 'destinations'> & Partial<Pick<SiemConfig, 'closeTimeoutSeconds'>>;
  /** Spool root: each destination keeps its spool, ack offset and dead-letter file in `<spoolDir>/<name>/`. Without it, memory only. */
  spoolDir?: string;
  /** Host name reported to SIEMs; os.hostname() by default. */
  hostname?: string;
  logger?: Logger;
  /** Replace the transport of a destination (by name); for tests and embedding. */
  transports?: Readonly<Record<string, SiemTransport>>;
  /** For tests: the jitter source of every destination. */
  random?: () => number;
}

/**
 * Fan-out SIEM sink: every record goes to each destination whose filter
 * matches (minimum level, record kinds, detection types and statuses).
 * Writing only spools; delivery runs in the background per destination.
 */
export class SiemForwarder implements DetectionSink {
  readonly name = 'siem';
  private readonly destinations: SiemDestination[] = [];
  private readonly closeTimeoutMs: number;

  constructor(options: SiemForwarderOptions) {
    const logger = options.logger ?? silentLogger;
    const hostname = options.hostname ?? osHostname();
    this.closeTimeoutMs = (options.config.closeTimeoutSeconds ?? 5) * 1000;
    const names = new Set<string>();
    for (const config of options.config.destinations) {
      if (names.has(config.name)) throw new SiemConfigError(`SIEM destination name "${config.name}" is used twice; names must be unique (they name spool folders)`);
      names.add(config.name);
      if (!config.enabled) continue;
      this.destinations.push(this.createDestination(config, options, hostname, logger));
    }
  }

  /** DetectionSink: detections when raised and when closed. */
  write(records: readonly DetectionRecord[]): void {
    this.forward(records.map(fromDetectionRecord));
  }

  /** Any records: detections, events, decisions. */
  forward(records: readonly SiemRecord[]): void {
    if (records.length === 0) return;
    for (const destination of this.destinations) destination.accept(records);
  }

  /** Send whatever is queued now, on every destination. */
  async flush(): Promise<void> {
    await Promise.all(this.destinations.map((d) => d.flush()));
  }

  stats(): DestinationStats[] {
    return this.destinations.map((d) => d.stats());
  }

  async close(): Promise<void> {
    await Promise.all(this.destinations.map((d) => d.close(this.closeTimeoutMs)));
  }

  private createDestination(config: SiemDestinationConfig, options: SiemForwarderOptions, hostname: string, logger: Logger): SiemDestination {
    const transport = options.transports?.[config.name] ?? createTransport(config, { hostname });
    return new SiemDestination({
      config,
      transport,
      ...(options.spoolDir !== undefined ? { dir: join(options.spoolDir, config.name) } : {}),
      logger,
      ...(options.random !== undefined ? { random: options.random } : {}),
    });
  }
}
