import type { FeedConfig } from './config.js';
import { parseCsvFeed } from './feed-csv.js';
import type { FeedDocument } from './feed-format.js';
import { parseJsonFeed } from './feed-json.js';
import { parseMispEvents } from './feed-misp.js';
import { parseStixBundle } from './feed-stix.js';
import { parseTextFeed } from './feed-text.js';

/** The loader for the feed's format (throws FeedFormatError when the document as a whole is unreadable). */
export function parseFeedDocument(feed: Pick<FeedConfig, 'format' | 'csv' | 'json' | 'misp'>, text: string): FeedDocument {
  // A UTF-8 byte-order mark is not part of the first value.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  switch (feed.format) {
    case 'text':
      return parseTextFeed(body);
    case 'csv':
      return parseCsvFeed(body, feed.csv);
    case 'json':
      return parseJsonFeed(body, feed.json);
    case 'stix':
      return parseStixBundle(body);
    case 'misp':
      return parseMispEvents(body, feed.misp);
  }
}
