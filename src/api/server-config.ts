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
  },
  { additionalProperties: false, default: {} },
);
export type ServerConfig = Static<typeof serverConfigSchema>;
