import { Type, type Static } from '@sinclair/typebox';
import { FEED_FORMATS } from './feed-format.js';

const column = (what: string) =>
  Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Integer({ minimum: 0 })], { description: `Column of the ${what}: a header name or a 0-based index.` }));

export const feedConfigSchema = Type.Object(
  {
    name: Type.String({
      pattern: '^[A-Za-z0-9_.-]{1,48}$',
      description: 'Feed name: the source of its indicators, in metrics and statistics (letters, digits, _ . -).',
    }),
    enabled: Type.Boolean({ default: true, description: 'Fetch this feed.' }),
    url: Type.Optional(
      Type.String({ pattern: '^https?://', secret: true, description: 'HTTP(S) address of the feed (may carry a key in its query: redacted).' }),
    ),
    path: Type.Optional(Type.String({ minLength: 1, description: 'A local file instead of a URL (relative paths are inside dataDir).' })),
    format: Type.Union(
      FEED_FORMATS.map((f) => Type.Literal(f)),
      { default: 'text', description: 'text (one indicator per line), csv, json, stix (STIX 2.1 bundle) or misp (MISP events).' },
    ),
    intervalSeconds: Type.Integer({ minimum: 1, default: 3600, description: 'Fetch every this many seconds (from start, then after each fetch).' }),
    threatType: Type.String({ minLength: 1, default: 'malicious', description: 'Threat type of entries that do not name one.' }),
    confidence: Type.Integer({ minimum: 0, maximum: 100, default: 50, description: 'Confidence (0-100) of entries that do not give one.' }),
    ttlDays: Type.Number({
      minimum: 0,
      default: 7,
      description: 'Entries without their own expiry expire this long after the feed last listed them (0: never).',
    }),
    tags: Type.Array(Type.String(), { default: [], description: 'Tags added to every entry of the feed.' }),
    timeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 30, description: 'HTTP fetch timeout.' }),
    maxBytes: Type.Integer({ minimum: 1, default: 256 * 1024 * 1024, description: 'Largest feed document read; a bigger one fails the fetch.' }),
    headers: Type.Record(Type.String(), Type.String(), {
      default: {},
      secret: true,
      description: 'Extra HTTP request headers (e.g. Authorization, MISP\'s key): redacted by config print.',
    }),
    csv: Type.Object(
      {
        delimiter: Type.String({ minLength: 1, maxLength: 1, default: ',', description: 'Field delimiter.' }),
        header: Type.Boolean({ default: true, description: 'The first row names the columns.' }),
        columns: Type.Object(
          {
            value: Type.Union([Type.String({ minLength: 1 }), Type.Integer({ minimum: 0 })], {
              default: 0,
              description: 'Column of the indicator value: a header name or a 0-based index.',
            }),
            type: column('indicator type (ip, domain, url, md5, … — auto-detected when absent)'),
            threatType: column('threat type'),
            confidence: column('confidence (0-100, 0-1 or high/medium/low)'),
            tags: column('tags (separated by , ; or |)'),
            firstSeen: column('first-seen time'),
            lastSeen: column('last-seen time'),
            expiresAt: column('expiry time'),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    json: Type.Object(
      {
        itemsPath: Type.String({ default: '', description: 'Dot path to the array of records; empty: the document is the array (or NDJSON).' }),
        fields: Type.Object(
          {
            value: Type.String({ default: 'value', description: 'Field of the indicator (then indicator, ioc, ip, domain, url are tried).' }),
            type: Type.String({ default: 'type', description: 'Field of the indicator type.' }),
            threatType: Type.String({ default: 'threat_type', description: 'Field of the threat type.' }),
            confidence: Type.String({ default: 'confidence', description: 'Field of the confidence.' }),
            tags: Type.String({ default: 'tags', description: 'Field of the tags (array or separated list).' }),
            firstSeen: Type.String({ default: 'first_seen', description: 'Field of the first-seen time (ISO-8601 or epoch s/ms).' }),
            lastSeen: Type.String({ default: 'last_seen', description: 'Field of the last-seen time.' }),
            expiresAt: Type.String({ default: 'expires_at', description: 'Field of the expiry time.' }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    misp: Type.Object(
      { onlyToIds: Type.Boolean({ default: true, description: 'Import only attributes flagged to_ids (for detection).' }) },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);
export type FeedConfig = Static<typeof feedConfigSchema>;

export const intelConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Threat intelligence: keep IOCs in the store, fetch feeds, match events in memory.' }),
    feeds: Type.Array(feedConfigSchema, { default: [], description: 'IOC feeds (each with url or path).' }),
    syncIntervalSeconds: Type.Integer({
      minimum: 1,
      default: 30,
      description: 'Pick up indicators written by others (vigil ioc import, another instance) from the store this often.',
    }),
    expireIntervalSeconds: Type.Integer({ minimum: 1, default: 300, description: 'Delete expired indicators (store and matcher) this often.' }),
    maxEntriesPerFeed: Type.Integer({
      minimum: 1,
      default: 2_000_000,
      description: 'A feed document with more entries fails (memory bound); nothing of it is imported.',
    }),
    maxCheckValues: Type.Integer({ minimum: 1, default: 10_000, description: 'Values per POST /api/v1/ioc/check request.' }),
  },
  { additionalProperties: false, default: {} },
);
export type IntelConfig = Static<typeof intelConfigSchema>;
