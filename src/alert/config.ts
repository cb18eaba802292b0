import { Type, type Static } from '@sinclair/typebox';
import { THREAT_LEVELS } from '../core/threat-level.js';

/**
 * Alerting configuration: named channels (Slack, e-mail, webhook, SMS,
 * Alertmanager), routes, grouping, digest, templates and the outbox.
 * Secret fields accept `env:NAME` to read the value from the environment
 * variable NAME when the service starts (see secrets.ts).
 */

const level = Type.Union(THREAT_LEVELS.map((l) => Type.Literal(l)));

const SECRET_HINT = ' Write env:NAME to read it from the environment variable NAME.';

export const templateSchema = Type.Object(
  {
    title: Type.Optional(Type.String({ description: 'Title / subject template; {{level}}, {{type}}, {{subject}}, {{summary}}, {{incidentId}}, … (see README).' })),
    text: Type.Optional(Type.String({ description: 'Body template (plain text); same placeholders.' })),
  },
  { additionalProperties: false, description: 'Message templates; unset fields use the alerting-wide templates.' },
);
export type TemplateConfig = Static<typeof templateSchema>;

const common = {
  name: Type.String({
    pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$',
    description: 'Unique channel name: routes and `vigil alerts test <name>` use it; also its metrics label.',
  }),
  enabled: Type.Boolean({ default: true, description: 'Set to false to keep the channel configured but send nothing to it.' }),
  rateLimit: Type.Object(
    {
      perMinute: Type.Number({ minimum: 0, default: 20, description: 'Messages per minute this channel may send on average; 0 means no limit. Beyond it alerts are recorded as suppressed (rate_limited).' }),
      burst: Type.Integer({ minimum: 1, default: 10, description: 'Messages that may be sent at once before the per-minute rate applies.' }),
    },
    { additionalProperties: false, default: {}, description: 'Per-channel rate limit (token bucket).' },
  ),
  timeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 10, description: 'Time allowed for one delivery attempt.' }),
  template: Type.Optional(templateSchema),
};

const tlsClient = {
  caFile: Type.Optional(Type.String({ description: 'PEM file with CA certificates to trust instead of the system roots.' })),
  rejectUnauthorized: Type.Boolean({ default: true, description: 'Verify the server certificate. Turn off only for tests.' }),
};

export const slackChannelSchema = Type.Object(
  {
    ...common,
    type: Type.Literal('slack', { description: 'Slack incoming webhook (Block Kit message).' }),
    webhookUrl: Type.String({ minLength: 1, secret: true, description: 'Incoming webhook URL (https://hooks.slack.com/services/…).' + SECRET_HINT }),
  },
  { additionalProperties: false },
);

export const emailChannelSchema = Type.Object(
  {
    ...common,
    type: Type.Literal('email', { description: 'E-mail over SMTP (plain text + HTML).' }),
    host: Type.String({ minLength: 1, description: 'SMTP server host.' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 587, description: 'SMTP port: 587 (submission, STARTTLS), 465 (implicit TLS), 25.' }),
    security: Type.Union([Type.Literal('starttls'), Type.Literal('tls'), Type.Literal('none')], {
      default: 'starttls',
      description: 'starttls (upgrade required: fails when the server does not offer it), tls (implicit TLS from the first byte) or none (plain text; only for a local relay).',
    }),
    username: Type.Optional(Type.String({ description: 'SMTP AUTH user.' })),
    password: Type.Optional(Type.String({ secret: true, description: 'SMTP AUTH password.' + SECRET_HINT })),
    from: Type.String({ minLength: 3, description: 'Sender address ("Vigil <vigil@example.com>").' }),
    to: Type.Array(Type.String({ minLength: 3 }), { minItems: 1, description: 'Recipient addresses.' }),
    ...tlsClient,
  },
  { additionalProperties: false },
);

export const webhookChannelSchema = Type.Object(
  {
    ...common,
    type: Type.Literal('webhook', { description: 'Generic webhook: JSON POST signed with HMAC-SHA256.' }),
    url: Type.String({ pattern: '^https?://\\S+$', description: 'URL the alerts are POSTed to.' }),
    secret: Type.Optional(
      Type.String({
        minLength: 1,
        secret: true,
        description: 'HMAC-SHA256 key: requests carry X-Vigil-Signature: sha256=<hex of HMAC(key, "<X-Vigil-Timestamp>.<body>")>.' + SECRET_HINT,
      }),
    ),
    headers: Type.Record(Type.String(), Type.String(), { default: {}, secret: true, description: 'Extra request headers.' }),
    ...tlsClient,
  },
  { additionalProperties: false },
);

export const smsChannelSchema = Type.Object(
  {
    ...common,
    type: Type.Literal('sms', { description: 'SMS through a provider HTTP API (one request per recipient).' }),
    url: Type.String({ pattern: '^https?://\\S+$', description: 'Provider endpoint, e.g. https://api.twilio.com/2010-04-01/Accounts/<sid>/Messages.json.' }),
    method: Type.Union([Type.Literal('POST'), Type.Literal('PUT')], { default: 'POST', description: 'HTTP method.' }),
    auth: Type.Object(
      {
        type: Type.Union([Type.Literal('none'), Type.Literal('basic'), Type.Literal('bearer'), Type.Literal('header')], {
          default: 'none',
          description: 'none, basic (username/password), bearer (token) or header (headerName: token).',
        }),
        username: Type.Optional(Type.String({ description: 'Basic auth user (e.g. an account SID).' })),
        password: Type.Optional(Type.String({ secret: true, description: 'Basic auth password.' + SECRET_HINT })),
        token: Type.Optional(Type.String({ secret: true, description: 'Bearer token or header value.' + SECRET_HINT })),
        headerName: Type.String({ default: 'X-Api-Key', description: 'Header carrying the token for auth type header.' }),
      },
      { additionalProperties: false, default: {}, description: 'How to authenticate to the provider.' },
    ),
    contentType: Type.Union([Type.Literal('json'), Type.Literal('form')], {
      default: 'json',
      description: 'Body encoding: json (placeholders are JSON-escaped) or form (application/x-www-form-urlencoded, placeholders URL-encoded).',
    }),
    bodyTemplate: Type.String({
      default: '{"to":"{{to}}","from":"{{from}}","text":"{{text}}"}',
      description: 'Request body with {{to}}, {{from}}, {{text}} (and the alert placeholders); e.g. To={{to}}&From={{from}}&Body={{text}} for Twilio (form).',
    }),
    from: Type.String({ default: '', description: 'Sender id or number.' }),
    to: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Recipient numbers.' }),
    maxLength: Type.Integer({ minimum: 20, default: 320, description: 'Longest message text; longer texts are cut (ending with …).' }),
    ...tlsClient,
  },
  { additionalProperties: false },
);

export const alertmanagerChannelSchema = Type.Object(
  {
    ...common,
    type: Type.Literal('alertmanager', { description: 'Prometheus Alertmanager v2 API (POST /api/v2/alerts).' }),
    url: Type.String({ pattern: '^https?://\\S+$', description: 'Alertmanager base URL (http://alertmanager:9093); /api/v2/alerts is appended.' }),
    repostIntervalSeconds: Type.Number({
      exclusiveMinimum: 0,
      default: 60,
      description: 'Active alerts are posted again this often (endsAt = now + 4 intervals), as Prometheus does; a resolved incident is posted once with its endsAt.',
    }),
    headers: Type.Record(Type.String(), Type.String(), { default: {}, secret: true, description: 'Extra request headers (Authorization, …).' }),
    ...tlsClient,
  },
  { additionalProperties: false },
);

export const alertChannelSchema = Type.Union([slackChannelSchema, emailChannelSchema, webhookChannelSchema, smsChannelSchema, alertmanagerChannelSchema]);
export type AlertChannelConfig = Static<typeof alertChannelSchema>;
export type ChannelType = AlertChannelConfig['type'];
export type SlackChannelConfig = Static<typeof slackChannelSchema>;
export type EmailChannelConfig = Static<typeof emailChannelSchema>;
export type WebhookChannelConfig = Static<typeof webhookChannelSchema>;
export type SmsChannelConfig = Static<typeof smsChannelSchema>;
export type AlertmanagerChannelConfig = Static<typeof alertmanagerChannelSchema>;

export const routeSchema = Type.Object(
  {
    levels: Type.Array(level, { default: [], description: 'Match these levels; empty matches any.' }),
    types: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Match these alert types (brute_force, sqli, …); empty matches any.' }),
    labels: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Match when every label has this value (labels: scope, detector, level, type).' }),
    channels: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Channel names to send to; "digest" adds the alert to the digest instead.' }),
    continue: Type.Boolean({ default: false, description: 'Keep evaluating later routes after this one matched (channels add up).' }),
  },
  { additionalProperties: false },
);
export type RouteConfig = Static<typeof routeSchema>;

export const alertConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Turn incidents into alerts (channels, outbox, digest). The recent-alerts feed works even without channels.' }),
    dashboardUrl: Type.String({ default: '', description: 'Base URL of the Vigil dashboard / API for links in messages (e.g. https://vigil.example.com); empty: no links.' }),
    groupWindowSeconds: Type.Number({
      minimum: 0,
      default: 600,
      description: 'The same (type, subject) within this many seconds updates the alert already sent instead of sending another (counted as suppressed, grouped); a higher level is sent.',
    }),
    channels: Type.Array(alertChannelSchema, { default: [], description: 'Where alerts go.' }),
    routes: Type.Array(routeSchema, {
      default: [],
      description:
        'Routes, first match wins (unless continue). When none matches, the default by level: CRITICAL → every channel, HIGH → slack and email channels, MEDIUM → slack channels, LOW → digest.',
    }),
    templates: Type.Object(
      {
        title: Type.String({ default: '[{{level}}] {{type}} from {{subject}}', description: 'Default title / e-mail subject template.' }),
        text: Type.String({
          default: '{{summary}}\nLevel: {{level}} · confidence {{confidence}} · {{eventCount}} events · {{occurrences}} occurrence(s)\n{{description}}',
          description: 'Default body template (plain text).',
        }),
      },
      { additionalProperties: false, default: {}, description: 'Default message templates for every channel.' },
    ),
    digest: Type.Object(
      {
        intervalSeconds: Type.Number({ exclusiveMinimum: 0, default: 3600, description: 'How often the digest of LOW alerts is sent (nothing is sent when there were none).' }),
        channels: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Channels receiving the digest; empty: every slack and email channel.' }),
        topSources: Type.Integer({ minimum: 1, default: 5, description: 'Sources listed in the digest (by alert count).' }),
      },
      { additionalProperties: false, default: {}, description: 'The periodic digest of LOW alerts.' },
    ),
    outbox: Type.Object(
      {
        file: Type.String({
          default: 'alert-outbox.db',
          description: 'SQLite file (in dataDir) for the outbox when store.enabled is false; with the store on, the outbox is a table in the store database.',
        }),
        maxAttempts: Type.Integer({ minimum: 1, default: 8, description: 'Attempts per delivery before it is dead-lettered (status dead).' }),
        retryInitialDelayMs: Type.Integer({ minimum: 1, default: 2000, description: 'First retry delay; doubles per attempt, with jitter.' }),
        retryMaxDelayMs: Type.Integer({ minimum: 1, default: 600_000, description: 'Longest retry delay.' }),
        pollIntervalMs: Type.Integer({ minimum: 10, default: 1000, description: 'How often the dispatcher looks for due deliveries (new alerts wake it at once).' }),
        concurrencyPerChannel: Type.Integer({ minimum: 1, default: 2, description: 'Deliveries in flight per channel; a slow channel holds only its own slots.' }),
        maxQueued: Type.Integer({ minimum: 1, default: 10_000, description: 'Deliveries held in memory waiting to be written to the outbox; beyond it they are dropped and counted (vigil_alert_suppressed_total{reason="queue_full"}).' }),
        keepDays: Type.Integer({ minimum: 0, default: 30, description: 'Days to keep finished deliveries (delivered, dead, suppressed) in the outbox; 0 keeps them forever.' }),
      },
      { additionalProperties: false, default: {}, description: 'The durable outbox every delivery goes through.' },
    ),
    feedSize: Type.Integer({ minimum: 1, default: 200, description: 'Recent alerts kept in memory for the live feed (service.alerts.recent()).' }),
  },
  { additionalProperties: false, default: {} },
);
export type AlertConfig = Static<typeof alertConfigSchema>;
