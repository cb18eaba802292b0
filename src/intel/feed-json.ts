import { emptyDocument, FeedFormatError, feedConfidence, feedIocType, feedTags, feedTime, note, type FeedDocument } from './feed-format.js';
import type { IocInput } from './ioc.js';

export interface JsonFields {
  value: string;
  type: string;
  threatType: string;
  confidence: string;
  tags: string;
  firstSeen: string;
  lastSeen: string;
  expiresAt: string;
}

export interface JsonFeedOptions {
  /** Dot path to the array of records (empty: the document is the array, or NDJSON). */
  itemsPath: string;
  fields: JsonFields;
}

/** Fallback names tried after the configured one. */
const VALUE_NAMES = ['value', 'indicator', 'ioc', 'ip', 'domain', 'url'];

/**
 * JSON: an array of records (or of plain strings), an object holding the
 * array at `itemsPath`, or NDJSON (one record per line). Field names are
 * mapped by `fields`; nested names use dots (`attributes.value`).
 */
export function parseJsonFeed(text: string, options: JsonFeedOptions): FeedDocument {
  const doc = emptyDocument();
  let items: unknown[];
  const trimmed = text.trim();
  if (trimmed === '') return doc;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (err) {
    // NDJSON: several documents, one per line.
    if (!trimmed.includes('\n') || options.itemsPath !== '') throw new FeedFormatError(`JSON: ${(err as Error).message}`);
    items = [];
    for (const [i, line] of trimmed.split('\n').entries()) {
      if (line.trim() === '') continue;
      try {
        items.push(JSON.parse(line));
      } catch (lineErr) {
        throw new FeedFormatError(`JSON lines: line ${i + 1}: ${(lineErr as Error).message}`);
      }
    }
    parsed = items;
  }
  const container = options.itemsPath === '' ? parsed : pick(parsed, options.itemsPath);
  if (!Array.isArray(container)) {
    throw new FeedFormatError(options.itemsPath === '' ? 'JSON: expected an array of records (set json.itemsPath for an object)' : `JSON: no array at "${options.itemsPath}"`);
  }
  items = container;
  for (const [i, item] of items.entries()) {
    if (typeof item === 'string') {
      doc.entries.push({ value: item });
      continue;
    }
    if (typeof item !== 'object' || item === null) {
      doc.unsupported++;
      note(doc, `record ${i}: not an object or a string`);
      continue;
    }
    const f = options.fields;
    let value = pick(item, f.value);
    for (const name of VALUE_NAMES) if (typeof value !== 'string') value = pick(item, name);
    if (typeof value !== 'string') {
      doc.unsupported++;
      note(doc, `record ${i}: no string "${f.value}"`);
      continue;
    }
    const entry: IocInput = { value };
    const type = feedIocType(pick(item, f.type));
    if (type !== undefined) entry.type = type;
    const threatType = pick(item, f.threatType) ?? pick(item, 'threatType');
    if (typeof threatType === 'string' && threatType !== '') entry.threatType = threatType;
    const confidence = feedConfidence(pick(item, f.confidence));
    if (confidence !== undefined) entry.confidence = confidence;
    const tags = feedTags(pick(item, f.tags));
    if (tags !== undefined) entry.tags = tags;
    const firstSeen = feedTime(pick(item, f.firstSeen));
    if (firstSeen !== undefined) entry.firstSeen = firstSeen;
    const lastSeen = feedTime(pick(item, f.lastSeen));
    if (lastSeen !== undefined) entry.lastSeen = lastSeen;
    const expiresAt = feedTime(pick(item, f.expiresAt));
    if (expiresAt !== undefined) entry.expiresAt = expiresAt;
    doc.entries.push(entry);
  }
  return doc;
}

function pick(value: unknown, path: string): unknown {
  let node = value;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
