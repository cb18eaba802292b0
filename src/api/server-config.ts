import { Type, type Static } from '@sinclair/typebox';

export const serverConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Serve the HTTP API.' }),
    host: Type.String({ default: '127.0.0.1', description: 'Address to listen on.' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'TCP port (0 = any free port).' }),
    bodyLimitBytes: Type.Integer({
      minimum: 1024,
      default: 1_048_576,
      description: 'Largest JSON body for POST /api/v1/events.',
    }),
    ndjsonLimitBytes: Type.Integer({
      minimum: 1024,
      default: 1_073_741_824,
      description: 'Largest NDJSON stream (after gzip decoding) for POST /api/v1/events/ndjson.',
    }),
    maxLineBytes: Type.Integer({ minimum: 256, default: 65_536, description: 'Longest NDJSON line; longer lines are rejected.' }),
    maxBatchRecords: Type.Integer({ minimum: 1, default: 10_000, description: 'Most records in one JSON array.' }),
    streamWaitMs: Type.Integer({
      minimum: 0,
      default: 5000,
      description: 'How long an NDJSON stream waits for queue room before answering 503.',
    }),
    trustedProxies: Type.Array(Type.String(), {
      default: [],
      description:
        'Addresses/CIDRs of reverse proxies whose X-Forwarded-For / X-Real-IP are believed (e.g. ["127.0.0.1", "10.0.0.0/8"]).',
    }),
    maxDetectionsKept: Type.Integer({ minimum: 1, default: 10_000, description: 'Detections kept in memory for GET /api/v1/detections.' }),
    tls: Type.Object(
      {
        enabled: Type.Boolean({ default: false, description: 'Serve the API over HTTPS.' }),
        cert: Type.String({ default: '', description: 'PEM certificate (chain) file; relative paths are from the working directory.' }),
        key: Type.String({ default: '', description: 'PEM private key file.' }),
        passphrase: Type.String({ default: '', secret: true, description: 'Passphrase of an encrypted private key.' }),
        ca: Type.String({ default: '', description: 'PEM CA file that client certificates must chain to (with clientAuth).' }),
        clientAuth: Type.Union([Type.Literal('none'), Type.Literal('optional'), Type.Literal('required')], {
          default: 'none',
          description: 'Client certificates: none; optional (asked for, checked against ca when sent); required (mutual TLS). Tokens and scopes apply either way.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    rateLimit: Type.Object(
      {
        enabled: Type.Boolean({ default: true, description: 'Limit API requests per token (per client address without a token).' }),
        windowSeconds: Type.Integer({ minimum: 1, default: 60, description: 'Length of the rate-limit window.' }),
        ingest: Type.Integer({ minimum: 1, default: 600_000, description: 'Requests per window to ingest routes (one request may carry many events).' }),
        read: Type.Integer({ minimum: 1, default: 6_000, description: 'Requests per window to read routes (detections, events, metrics, decisions).' }),
        admin: Type.Integer({ minimum: 1, default: 600, description: 'Requests per window to admin routes.' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
export type ServerConfig = Static<typeof serverConfigSchema>;
