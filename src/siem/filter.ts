import { rank } from '../core/threat-level.js';
import type { SiemDestinationConfig } from './config.js';
import type { SiemRecord } from './record.js';

export type DestinationFilter = SiemDestinationConfig['filter'];

/** Does this destination want this record? Kind, then level, then (detections) type and status. */
export function matchesFilter(record: SiemRecord, filter: DestinationFilter): boolean {
  if (!filter.kinds.includes(record.kind)) return false;
  if (rank(record.severity) < rank(filter.minLevel)) return false;
  if (record.kind === 'detection') {
    if (!filter.statuses.includes(record.status)) return false;
    if (filter.detectionTypes.length > 0 && !filter.detectionTypes.includes(record.detection.type)) return false;
  }
  return true;
}
