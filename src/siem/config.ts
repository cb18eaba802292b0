import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { THREAT_LEVELS } from '../core/threat-level.js';
import { SiemConfigError } from './errors.js';
import { FACILITIES } from './formatters/syslog.js';

/**
 * SIEM forwarding configuration: an array of destinations, each with a
 * `type` and its options. Secrets carry `secret: true` so `redactSecrets`
 * masks them wherever the config is shown.
 */

const recordKind = Type.Union([Type.Literal('detection'), Type.Literal('event'), Type.Literal('decision')]);

const filterSchema = Type.Object(
  {
    minLevel: Type.Union(
      THREAT_LEVELS.map((level) => Type.Literal(level)),
      { default: 'LOW', description: 'Forward only records at or above this threat level (LOW, MEDIUM, HIGH, CRITICAL).' },
    ),
    kinds: Type.Array(recordKind, {
      default: ['detection'],
      uniqueItems: true,
      description: 'Record kinds to forward: detection, event (raw security events), decision (blocks, captchas, throttles).',
    }),
    detectionTypes: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'Forward only detections of these types (brute_force, sqli, …); empty means all types. Events and decisions are not affected.',
    }),
    statuses: Type.Array(Type.Union([Type.Literal('open'), Type.Literal('closed')]), {
      default: ['open', 'closed'],
      uniqueItems: true,
      description: 'Detection updates to forward: open (when raised) and/or closed (final evidence).',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Which records this destination receives.' },
);

const spoolSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Keep accepted records on disk until the SIEM accepts them, so restarts and outages lose nothing.' }),
    maxBytes: Type.Integer({ minimum: 4096, default: 256 * 1024 * 1024, description: 'Disk space the spool may use; past it new records are refused and counted (refusedSpoolFull).' }),
    segmentBytes: Type.Integer({ minimum: 1024, default: 8 * 1024 * 1024, description: 'Size of one spool segment file; fully acknowledged segments are deleted.' }),
    fsync: Type.Boolean({ default: false, description: 'fsync every append and acknowledgement (survives power loss; slower).' }),
  },
  { additionalProperties: false, default: {}, description: 'Durable on-disk spool for this destination (under the forwarder spool directory, one folder per destination).' },
);

const common = {
  name: Type.String({
    pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$',
    description: 'Unique destination name; also its spool folder name and its label in metrics.',
  }),
  enabled: Type.Boolean({ default: true, description: 'Set to false to keep the destination configured but send nothing.' }),
  filter: filterSchema,
  queueCapacity: Type.Integer({ minimum: 1, default: 10_000, description: 'Records held in memory waiting for delivery; beyond it they wait in the spool (or are dropped and counted without a spool).' }),
  batchSize: Type.Integer({ minimum: 1, maximum: 10_000, default: 100, description: 'Records per request (HTTP) or per write (syslog).' }),
  flushIntervalSeconds: Type.Number({ exclusiveMinimum: 0, default: 30, description: 'Send a partial batch after this long; a full batch is sent at once.' }),
  maxAttempts: Type.Integer({ minimum: 1, default: 10, description: 'Tries per batch before its records go to the dead-letter file. While the SIEM is unreachable (connection refused, timeout) attempts are not counted: records wait in the spool.' }),
  retryInitialDelayMs: Type.Integer({ minimum: 1, default: 1000, description: 'First retry delay; doubles per attempt, with jitter.' }),
  retryMaxDelayMs: Type.Integer({ minimum: 1, default: 300_000, description: 'Longest backoff delay between attempts.' }),
  maxRetryAfterSeconds: Type.Number({ minimum: 0, default: 600, description: 'Cap on a Retry-After asked for by the SIEM (429/503).' }),
  timeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 30, description: 'Request / connect timeout.' }),
  spool: spoolSchema,
};

const tlsClient = {
  caFile: Type.Optional(Type.String({ description: 'PEM file with the CA certificates to trust instead of the system roots.' })),
  rejectUnauthorized: Type.Boolean({ default: true, description: 'Verify the server certificate. Turn off only for tests.' }),
};

const syslogCommon = {
  host: Type.String({ minLength: 1, description: 'Syslog receiver host name or address.' }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 514, description: 'Receiver port (514 for UDP/TCP by convention, 6514 for TLS).' }),
  transport: Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('tls')], {
    default: 'tcp',
    description: 'udp (one datagram per message, no delivery confirmation), tcp, or tls (RFC 5425).',
  }),
  framing: Type.Union([Type.Literal('octet-counting'), Type.Literal('non-transparent')], {
    default: 'octet-counting',
    description: 'TCP/TLS framing (RFC 6587): octet-counting ("LEN SP MSG") or non-transparent (newline-terminated; newlines inside messages become spaces).',
  }),
  protocol: Type.Union([Type.Literal('rfc5424'), Type.Literal('rfc3164')], { default: 'rfc5424', description: 'Syslog header format.' }),
  facility: Type.Union(
    Object.keys(FACILITIES).map((f) => Type.Literal(f)),
    { default: 'authpriv', description: 'Syslog facility (authpriv, local0…local7, …); the severity comes from the threat level.' },
  ),
  appName: Type.String({ default: 'vigil', description: 'APP-NAME (RFC 5424) or TAG (RFC 3164).' }),
  hostname: Type.String({ default: '', description: 'HOSTNAME field; empty means this machine\'s host name.' }),
  structuredData: Type.Boolean({ default: true, description: 'RFC 5424: add a structured-data element with the record\'s key fields.' }),
  sdId: Type.String({
    default: 'vigil@32473',
    pattern: '^[^= \\]"]{1,32}$',
    description: 'SD-ID of that element, name@<Private Enterprise Number>; 32473 is the number reserved for documentation, use your organisation\'s.',
  }),
  maxMessageBytes: Type.Integer({ minimum: 480, maximum: 65_000, default: 8192, description: 'Longest message in bytes; longer message bodies are cut (ending with …). RFC 3164 caps it at 1024.' }),
  ...tlsClient,
  certFile: Type.Optional(Type.String({ description: 'TLS client certificate (PEM) for mutual TLS.' })),
  keyFile: Type.Optional(Type.String({ description: 'TLS client private key (PEM) for mutual TLS.', secret: true })),
  serverName: Type.Optional(Type.String({ description: 'TLS server name to verify when it differs from host.' })),
};

const leefOptions = {
  delimiter: Type.String({ minLength: 1, maxLength: 2, default: '\t', description: 'LEEF 2.0 attribute delimiter: one character, tab by default.' }),
  delimiterNotation: Type.Union([Type.Literal('hex'), Type.Literal('char')], {
    default: 'hex',
    description: 'How the LEEF header declares the delimiter: hex (x09, x5E) or the character itself (tab is always written as x09).',
  }),
};

export const cefSyslogDestinationSchema = Type.Object(
  { ...common, type: Type.Literal('cef-syslog', { description: 'ArcSight CEF over syslog.' }), ...syslogCommon },
  { additionalProperties: false },
);
export const leefSyslogDestinationSchema = Type.Object(
  { ...common, type: Type.Literal('leef-syslog', { description: 'IBM QRadar LEEF 2.0 over syslog.' }), ...syslogCommon, ...leefOptions },
  { additionalProperties: false },
);
export const syslogDestinationSchema = Type.Object(
  {
    ...common,
    type: Type.Literal('syslog', { description: 'Syslog with a message body of your choice.' }),
    ...syslogCommon,
    body: Type.Union([Type.Literal('json'), Type.Literal('text'), Type.Literal('cef'), Type.Literal('leef')], {
      default: 'json',
      description: 'Message body: json (Vigil JSON), text (one-line summary), cef or leef.',
    }),
    ...leefOptions,
  },
  { additionalProperties: false },
);
export const splunkHecDestinationSchema = Type.Object(
  {
    ...common,
    type: Type.Literal('splunk-hec', { description: 'Splunk HTTP Event Collector.' }),
    url: Type.String({ pattern: '^https?://\\S+$', description: 'HEC base URL (https://splunk.example:8088); /services/collector/event is appended unless present.' }),
    token: Type.String({ minLength: 1, description: 'HEC token (sent as "Authorization: Splunk <token>").', secret: true }),
    index: Type.Optional(Type.String({ description: 'Splunk index; the token\'s default index when unset.' })),
    source: Type.String({ default: 'vigil', description: 'Splunk source.' }),
    sourcetype: Type.Optional(Type.String({ description: 'Splunk sourcetype; default vigil:detection, vigil:event, vigil:decision by record kind.' })),
    host: Type.String({ default: '', description: 'Splunk host field; empty means this machine\'s host name.' }),
    channel: Type.Optional(Type.String({ description: 'X-Splunk-Request-Channel GUID (needed when the token has indexer acknowledgement on).' })),
    gzip: Type.Boolean({ default: false, description: 'gzip request bodies (Content-Encoding: gzip).' }),
    ...tlsClient,
  },
  { additionalProperties: false },
);
export const elasticDestinationSchema = Type.Object(
  {
    ...common,
    type: Type.Literal('elastic', { description: 'Elasticsearch _bulk API with ECS documents.' }),
    url: Type.String({ pattern: '^https?://\\S+$', description: 'Elasticsearch URL (https://es.example:9200); /_bulk is appended.' }),
    index: Type.String({ default: 'logs-vigil.alerts-default', description: 'Index or data stream (documents are sent with the create action, which data streams require).' }),
    apiKey: Type.Optional(Type.String({ description: 'Encoded API key (sent as "Authorization: ApiKey <key>").', secret: true })),
    username: Type.Optional(Type.String({ description: 'Basic auth user (when no apiKey).' })),
    password: Type.Optional(Type.String({ description: 'Basic auth password.', secret: true })),
    documentIds: Type.Boolean({ default: true, description: 'Send the record id as _id so redelivered records are stored once (a 409 counts as delivered).' }),
    ...tlsClient,
  },
  { additionalProperties: false },
);
export const sentinelDestinationSchema = Type.Object(
  {
    ...common,
    type: Type.Literal('sentinel', { description: 'Microsoft Sentinel via the Azure Monitor Logs Ingestion API (DCR + stream).' }),
    endpoint: Type.String({ pattern: '^https?://\\S+$', description: 'Data collection endpoint or DCR logs-ingestion endpoint (https://….ingest.monitor.azure.com).' }),
    dcrImmutableId: Type.String({ minLength: 1, description: 'Immutable id of the data collection rule (dcr-…).' }),
    streamName: Type.String({ minLength: 1, description: 'Stream declared in the DCR (Custom-VigilAlerts_CL).' }),
    tenantId: Type.String({ minLength: 1, description: 'Microsoft Entra tenant id of the app registration.' }),
    clientId: Type.String({ minLength: 1, description: 'Application (client) id with the Monitoring Metrics Publisher role on the DCR.' }),
    clientSecret: Type.String({ minLength: 1, description: 'Client secret of that application.', secret: true }),
    authorityHost: Type.String({ default: 'https://login.microsoftonline.com', description: 'Token authority (change for sovereign clouds).' }),
    scope: Type.String({ default: 'https://monitor.azure.com//.default', description: 'OAuth2 scope of the ingestion token.' }),
    gzip: Type.Boolean({ default: true, description: 'gzip request bodies (Content-Encoding: gzip).' }),
    ...tlsClient,
  },
  { additionalProperties: false },
);
export const httpDestinationSchema = Type.Object(
  {
    ...common,
    type: Type.Literal('http', { description: 'Generic HTTP: a JSON array of Vigil records per request.' }),
    url: Type.String({ pattern: '^https?://\\S+$', description: 'URL the batches are sent to.' }),
    method: Type.Union([Type.Literal('POST'), Type.Literal('PUT')], { default: 'POST', description: 'HTTP method.' }),
    headers: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Extra request headers (Authorization, …).', secret: true }),
    ...tlsClient,
  },
  { additionalProperties: false },
);

export const siemDestinationSchema = Type.Union([
  cefSyslogDestinationSchema,
  leefSyslogDestinationSchema,
  syslogDestinationSchema,
  splunkHecDestinationSchema,
  elasticDestinationSchema,
  sentinelDestinationSchema,
  httpDestinationSchema,
]);

export const siemConfigSchema = Type.Object(
  {
    spoolDir: Type.String({ default: 'siem-spool', description: 'Spool root (relative paths are inside dataDir); each destination gets a folder.' }),
    closeTimeoutSeconds: Type.Number({ minimum: 0, default: 5, description: 'On shutdown, how long to keep delivering; what is left stays in the spool for the next start.' }),
    destinations: Type.Array(siemDestinationSchema, { default: [], description: 'Where detections (and optionally events and decisions) are forwarded.' }),
  },
  { additionalProperties: false, default: {}, description: 'Forwarding to SIEMs.' },
);

export type SiemConfig = Static<typeof siemConfigSchema>;
export type SiemDestinationConfig = Static<typeof siemDestinationSchema>;
export type SiemDestinationType = SiemDestinationConfig['type'];
export type SyslogDestinationConfig = Static<typeof cefSyslogDestinationSchema> | Static<typeof leefSyslogDestinationSchema> | Static<typeof syslogDestinationSchema>;

const VARIANTS: Record<SiemDestinationType, TSchema> = {
  'cef-syslog': cefSyslogDestinationSchema,
  'leef-syslog': leefSyslogDestinationSchema,
  syslog: syslogDestinationSchema,
  'splunk-hec': splunkHecDestinationSchema,
  elastic: elasticDestinationSchema,
  sentinel: sentinelDestinationSchema,
  http: httpDestinationSchema,
};

/**
 * Defaults + validation with messages that name the destination and option
 * (`destinations[1] (splunk): token: …`), choosing the variant by `type`
 * rather than reporting "no union member matched".
 */
export function parseSiemConfig(raw: unknown): SiemConfig {
  const value = Value.Default(siemConfigSchema, structuredClone(raw ?? {})) as Record<string, unknown>;
  const problems: string[] = [];
  const destinations = Array.isArray(value.destinations) ? (value.destinations as unknown[]) : [];
  const names = new Set<string>();
  destinations.forEach((d, i) => {
    const where = `destinations[${i}]${typeof d === 'object' && d !== null && typeof (d as { name?: unknown }).name === 'string' ? ` (${(d as { name: string }).name})` : ''}`;
    const type = typeof d === 'object' && d !== null ? (d as { type?: unknown }).type : undefined;
    const variant = typeof type === 'string' ? VARIANTS[type as SiemDestinationType] : undefined;
    if (variant === undefined) {
      problems.push(`${where}: type must be one of ${Object.keys(VARIANTS).join(', ')}, got ${JSON.stringify(type)}`);
      return;
    }
    const withDefaults = Value.Default(variant, d);
    destinations[i] = withDefaults;
    for (const error of Value.Errors(variant, withDefaults)) {
      problems.push(`${where}${error.path.replace(/\//g, '.') || ''}: ${error.message}${error.path.endsWith('secret') ? '' : ''}`);
      if (problems.length > 20) break;
    }
    const name = (withDefaults as { name?: unknown }).name;
    if (typeof name === 'string') {
      if (names.has(name)) problems.push(`${where}: duplicate destination name "${name}"`);
      names.add(name);
    }
  });
  for (const error of Value.Errors(siemConfigSchema, value)) {
    if (error.path.startsWith('/destinations/')) continue;
    problems.push(`${error.path.replace(/\//g, '.').slice(1) || '(siem)'}: ${error.message}`);
  }
  if (problems.length > 0) throw new SiemConfigError(`invalid SIEM configuration:\n  - ${problems.join('\n  - ')}`);
  return value as SiemConfig;
}

/**
 * A copy of a SIEM config with every `secret: true` option replaced by "***".
 * (The core `redactSecrets` walks `properties` and `items` but not unions,
 * so it would pass destination secrets through; this picks the variant by `type`.)
 */
export function redactSiemSecrets(config: SiemConfig): SiemConfig {
  return {
    ...config,
    destinations: config.destinations.map((d) => {
      const variant = VARIANTS[d.type] as { properties?: Record<string, { secret?: boolean }> };
      const out: Record<string, unknown> = { ...d };
      for (const [key, schema] of Object.entries(variant.properties ?? {})) {
        if (schema.secret === true && out[key] !== undefined && out[key] !== '') out[key] = '***';
      }
      return out as SiemDestinationConfig;
    }),
  };
}
