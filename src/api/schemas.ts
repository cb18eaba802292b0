/** JSON Schemas for the OpenAPI document (and response serialisation). */

export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

const rejectionSchema = {
  type: 'object',
  properties: {
    index: { type: 'integer', description: 'Position in the JSON array.' },
    line: { type: 'integer', description: '1-based NDJSON line.' },
    error: { type: 'string' },
  },
} as const;

export const ingestResultSchema = {
  type: 'object',
  properties: {
    accepted: { type: 'integer' },
    rejected: { type: 'array', items: rejectionSchema },
    rejectedCount: { type: 'integer', description: 'NDJSON: all rejected lines (the list holds the first 100).' },
    lines: { type: 'integer', description: 'NDJSON: lines handled; resend from the next one after a 503.' },
    error: errorSchema.properties.error,
  },
} as const;

export const nativeEventSchema = {
  type: 'object',
  description:
    'A login event (eventType LOGIN_FAILURE|LOGIN_SUCCESS), a security violation (eventType XSS_ATTACK, CSRF_VIOLATION, SQL_INJECTION, CORS_VIOLATION, RATE_LIMIT_VIOLATION or another name) or a normalised event with `kind`.',
  properties: {
    eventType: { type: 'string' },
    kind: { type: 'string', description: 'login.success, login.failure, http.request, waf.violation, process, …' },
    timestamp: { oneOf: [{ type: 'string', format: 'date-time' }, { type: 'number', description: 'epoch ms' }] },
    sourceIp: { type: 'string' },
    clientIp: { type: 'string' },
    username: { type: 'string' },
    userId: { type: 'string' },
    userAgent: { type: 'string' },
    sessionId: { type: 'string' },
    reason: { type: 'string', enum: ['INVALID_PASSWORD', 'ACCOUNT_DISABLED', 'ACCOUNT_LOCKED', 'SYSTEM_ERROR'] },
    eventData: { oneOf: [{ type: 'string' }, { type: 'object' }] },
    http: {
      type: 'object',
      properties: {
        method: { type: 'string' },
        path: { type: 'string' },
        query: { type: 'string' },
        status: { type: 'integer' },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        body: { type: 'string' },
      },
    },
    command: { type: 'string' },
  },
  additionalProperties: true,
} as const;

export const detectionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    detector: { type: 'string' },
    type: { type: 'string' },
    sourceIp: { type: 'string' },
    username: { type: 'string' },
    confidence: { type: 'number' },
    severity: { type: 'string', enum: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] },
    evidence: { type: 'object', additionalProperties: true },
    eventIds: { type: 'array', items: { type: 'string' } },
    status: { type: 'string', enum: ['open', 'closed'] },
    detectedAt: { type: 'number' },
  },
} as const;
