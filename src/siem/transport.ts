import type { SiemRecord } from './record.js';

/**
 * What a destination does with a batch. Resolve when the SIEM accepted it;
 * throw `DeliveryError` when the batch failed as a whole. When some records
 * were accepted and others not (Elasticsearch `_bulk` items, a Splunk
 * "invalid event number"), resolve with indices into the batch:
 * `retry` to send again, `rejected` to dead-letter (will not get better).
 */
export interface SendResult {
  retry?: number[];
  rejected?: Array<{ index: number; reason: string }>;
}

export interface SiemTransport {
  send(records: readonly SiemRecord[], signal: AbortSignal): Promise<SendResult | void>;
  close(): Promise<void>;
}
