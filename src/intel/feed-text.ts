import { emptyDocument, type FeedDocument } from './feed-format.js';

/**
 * Plain text: one indicator per line. Blank lines and comments (`#`, `;`,
 * `//` at the start) are skipped, as is a trailing comment after whitespace
 * (`198.51.100.7  # seen scanning`). Only the first word of a line is the
 * value, so `1.2.3.4 extra columns` lists of IP blocklists read too.
 */
export function parseTextFeed(text: string): FeedDocument {
  const doc = emptyDocument();
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('//')) continue;
    const space = line.search(/\s/);
    const value = space < 0 ? line : line.slice(0, space);
    doc.entries.push({ value });
  }
  return doc;
}
