import type { Logger } from 'pino';
import type { IdGenerator } from '../core/ids.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SourceCounters } from './line-ingestor.js';

/** What every source gets from the service. */
export interface SourceContext {
  pipeline: Pipeline;
  ids: IdGenerator;
  /** Wall clock (ms). */
  now(): number;
  logger: Logger;
  counters: SourceCounters;
  dataDir: string;
  /** IANA zone for time stamps without one. */
  timeZone?: string;
}

/**
 * An ingestion source: reads records from somewhere, parses them into events
 * and offers them to the pipeline, waiting (not dropping) when it is full.
 * `stop()` stops reading and resolves once everything read has been offered.
 */
export interface Source {
  readonly name: string;
  readonly type: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
