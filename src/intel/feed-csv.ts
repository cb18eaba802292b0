import { emptyDocument, FeedFormatError, feedConfidence, feedIocType, feedTags, feedTime, note, type FeedDocument } from './feed-format.js';

/** Where each field is: a header name or a 0-based column index. */
export interface CsvColumns {
  value: string | number;
  type?: string | number;
  threatType?: string | number;
  confidence?: string | number;
  tags?: string | number;
  firstSeen?: string | number;
  lastSeen?: string | number;
  expiresAt?: string | number;
}

export interface CsvFeedOptions {
  delimiter: string;
  /** The first (non-comment) row names the columns. */
  header: boolean;
  columns: CsvColumns;
}

/**
 * RFC 4180 records: quoted fields may hold the delimiter, doubled quotes and
 * newlines. Lines starting with `#` outside quotes are comments (many feeds
 * put a licence header there).
 */
export function* csvRecords(text: string, delimiter: string): Generator<{ fields: string[]; line: number }> {
  const d = delimiter.charCodeAt(0);
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let atStart = true;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const n = text.length;
  const endRecord = function* () {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]?.trim() === '')) yield { fields, line: recordLine };
    fields = [];
    field = '';
    atStart = true;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 34) {
        if (text.charCodeAt(i + 1) === 34) {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === 10) line++;
        field += text[i];
      }
      i++;
      continue;
    }
    if (atStart && c === 35 /* # */) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      line++;
      recordLine = line;
      continue;
    }
    atStart = false;
    if (c === 34 && field.trim() === '') {
      field = '';
      quoted = true;
    } else if (c === d) {
      fields.push(field);
      field = '';
    } else if (c === 10 || c === 13) {
      yield* endRecord();
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      line++;
      recordLine = line;
    } else {
      field += text[i];
    }
    i++;
  }
  if (quoted) throw new FeedFormatError(`CSV: a quoted field opened on line ${recordLine} never closes`);
  if (field !== '' || fields.length > 0) yield* endRecord();
}

/** CSV with a configurable column mapping. */
export function parseCsvFeed(text: string, options: CsvFeedOptions): FeedDocument {
  if (options.delimiter.length !== 1) throw new FeedFormatError('CSV: the delimiter must be one character');
  const doc = emptyDocument();
  let index: Partial<Record<keyof CsvColumns, number>> | undefined;
  const resolve = (header: string[] | undefined): Partial<Record<keyof CsvColumns, number>> => {
    const out: Partial<Record<keyof CsvColumns, number>> = {};
    for (const [key, where] of Object.entries(options.columns) as [keyof CsvColumns, string | number | undefined][]) {
      if (where === undefined) continue;
      if (typeof where === 'number') out[key] = where;
      else {
        if (header === undefined) throw new FeedFormatError(`CSV: column "${where}" is named but the feed has no header row (set header: true or use an index)`);
        const at = header.findIndex((h) => h.trim().toLowerCase() === where.toLowerCase());
        if (at < 0) {
          if (key === 'value') throw new FeedFormatError(`CSV: no column "${where}" in the header (${header.join(', ')})`);
          continue;
        }
        out[key] = at;
      }
    }
    return out;
  };
  for (const { fields, line } of csvRecords(text, options.delimiter)) {
    if (index === undefined) {
      if (options.header) {
        index = resolve(fields);
        continue;
      }
      index = resolve(undefined);
    }
    const get = (key: keyof CsvColumns): string | undefined => {
      const at = index?.[key];
      const v = at === undefined ? undefined : fields[at]?.trim();
      return v === '' ? undefined : v;
    };
    const value = get('value');
    if (value === undefined) {
      note(doc, `line ${line}: no value`);
      doc.unsupported++;
      continue;
    }
    const type = feedIocType(get('type'));
    doc.entries.push({
      value,
      ...(type !== undefined && { type }),
      ...(get('threatType') !== undefined && { threatType: get('threatType') }),
      ...(feedConfidence(get('confidence')) !== undefined && { confidence: feedConfidence(get('confidence')) }),
      ...(feedTags(get('tags')) !== undefined && { tags: feedTags(get('tags')) }),
      ...(feedTime(get('firstSeen')) !== undefined && { firstSeen: feedTime(get('firstSeen')) }),
      ...(feedTime(get('lastSeen')) !== undefined && { lastSeen: feedTime(get('lastSeen')) }),
      ...(feedTime(get('expiresAt')) !== undefined && { expiresAt: feedTime(get('expiresAt')) }),
    });
  }
  if (index === undefined && options.header && text.trim() !== '') throw new FeedFormatError('CSV: no header row');
  return doc;
}
