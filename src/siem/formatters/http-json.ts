import type { SiemRecord } from '../record.js';
import { formatJsonDocument, type VigilJsonDocument } from './json.js';

/** Generic HTTP JSON: the request body is a JSON array of Vigil documents. */
export function formatHttpJsonBody(records: readonly SiemRecord[]): string {
  const docs: VigilJsonDocument[] = records.map((r) => formatJsonDocument(r));
  return JSON.stringify(docs);
}
