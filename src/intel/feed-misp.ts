import { emptyDocument, FeedFormatError, feedTime, note, type FeedDocument } from './feed-format.js';
import type { IocInput } from './ioc.js';
import type { IocType } from './ioc-type.js';

export interface MispFeedOptions {
  /** Only attributes flagged for detection (to_ids), as MISP intends for IDS exports. */
  onlyToIds: boolean;
}

/** MISP attribute types → [Vigil type (undefined: from the value), which part of a `a|b` value]. */
const TYPES: Record<string, [IocType | undefined, number][]> = {
  'ip-src': [[undefined, 0]],
  'ip-dst': [[undefined, 0]],
  'ip-src|port': [[undefined, 0]],
  'ip-dst|port': [[undefined, 0]],
  domain: [['domain', 0]],
  hostname: [['domain', 0]],
  'hostname|port': [['domain', 0]],
  'domain|ip': [
    ['domain', 0],
    [undefined, 1],
  ],
  url: [['url', 0]],
  'email-src': [['email', 0]],
  'email-dst': [['email', 0]],
  email: [['email', 0]],
  md5: [['md5', 0]],
  sha1: [['sha1', 0]],
  sha256: [['sha256', 0]],
  'filename|md5': [['md5', 1]],
  'filename|sha1': [['sha1', 1]],
  'filename|sha256': [['sha256', 1]],
};

/** threat_level_id: 1 high, 2 medium, 3 low, 4 undefined. */
const CONFIDENCE_BY_THREAT_LEVEL: Record<string, number> = { '1': 90, '2': 70, '3': 50, '4': 30 };

type Json = Record<string, unknown>;

/**
 * MISP JSON: one event (`{"Event": {...}}`), a list of them, a restSearch
 * answer (`{"response": [...]}`), or an attribute search
 * (`{"response": {"Attribute": [...]}}`). Attributes of the event and of
 * its objects whose type carries a network or file indicator become
 * entries; the event's threat level sets confidence, its tags and the
 * attribute's tags become tags, the event `info` is a tag too (`event:<info>`).
 */
export function parseMispEvents(text: string, options: MispFeedOptions): FeedDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new FeedFormatError(`MISP: ${(err as Error).message}`);
  }
  const events: Json[] = [];
  const looseAttributes: unknown[] = [];
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) collect(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Json;
    if (typeof record.Event === 'object' && record.Event !== null) events.push(record.Event as Json);
    else if (record.response !== undefined) collect(record.response);
    else if (Array.isArray(record.Attribute)) looseAttributes.push(...record.Attribute);
  };
  collect(parsed);
  if (events.length === 0 && looseAttributes.length === 0) {
    throw new FeedFormatError('MISP: no Event or Attribute found (expected {"Event": {...}}, a list of events or a restSearch response)');
  }
  const doc = emptyDocument();
  for (const event of events) {
    const eventTags = tagNames(event.Tag);
    if (typeof event.info === 'string' && event.info.trim() !== '') eventTags.push(`event:${event.info.trim()}`);
    const confidence = CONFIDENCE_BY_THREAT_LEVEL[String(event.threat_level_id)];
    const attributes: unknown[] = [...(Array.isArray(event.Attribute) ? event.Attribute : [])];
    if (Array.isArray(event.Object)) {
      for (const object of event.Object as Json[]) if (Array.isArray(object?.Attribute)) attributes.push(...object.Attribute);
    }
    for (const attribute of attributes) addAttribute(doc, attribute, options, eventTags, confidence, feedTime(event.date));
  }
  for (const attribute of looseAttributes) addAttribute(doc, attribute, options, [], undefined, undefined);
  return doc;
}

function addAttribute(doc: FeedDocument, raw: unknown, options: MispFeedOptions, eventTags: string[], confidence: number | undefined, eventDate: number | undefined): void {
  if (typeof raw !== 'object' || raw === null) return;
  const a = raw as Json;
  const type = typeof a.type === 'string' ? a.type : '';
  const mapping = TYPES[type];
  if (mapping === undefined) {
    doc.unsupported++;
    note(doc, `attribute type ${type || '(none)'} is not matched`);
    return;
  }
  if (a.deleted === true || a.deleted === '1') return;
  if (options.onlyToIds && !(a.to_ids === true || a.to_ids === '1' || a.to_ids === 1)) {
    doc.unsupported++;
    note(doc, `attribute ${String(a.uuid ?? a.value)}: to_ids is off`);
    return;
  }
  if (typeof a.value !== 'string') return;
  const parts = a.value.split('|');
  const tags = [...eventTags, ...tagNames(a.Tag)];
  if (typeof a.category === 'string') tags.push(`category:${a.category}`);
  const firstSeen = feedTime(a.first_seen) ?? eventDate;
  const lastSeen = feedTime(a.last_seen) ?? feedTime(a.timestamp);
  for (const [iocType, part] of mapping) {
    const value = parts[part];
    if (value === undefined || value.trim() === '') continue;
    const entry: IocInput = { value };
    if (iocType !== undefined) entry.type = iocType;
    if (confidence !== undefined) entry.confidence = confidence;
    if (tags.length > 0) entry.tags = tags;
    if (firstSeen !== undefined) entry.firstSeen = firstSeen;
    if (lastSeen !== undefined) entry.lastSeen = lastSeen;
    doc.entries.push(entry);
  }
}

function tagNames(tags: unknown): string[] {
  if (!Array.isArray(tags)) return [];
  return tags.map((t) => (typeof t === 'object' && t !== null ? (t as Json).name : undefined)).filter((n): n is string => typeof n === 'string');
}
