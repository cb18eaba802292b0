import { describe, expect, it } from 'vitest';
import type { Detection } from '../core/detection.js';
import { alertMessages } from './kafka-alerts.js';

const detection = (id: string, sourceIp?: string, username?: string) =>
  ({ id, detector: 'brute_force', type: 'brute_force', sourceIp, username, confidence: 0.8, severity: 'HIGH', evidence: {}, eventIds: [], status: 'open', detectedAt: 1 }) as unknown as Detection;

describe('Kafka alert messages', () => {
  it('are keyed sourceIp:username, carry the record as JSON, and follow the status filter', () => {
    const messages = alertMessages(
      [
        { status: 'open', detection: detection('d1', '203.0.113.9') },
        { status: 'closed', detection: detection('d1', '203.0.113.9') },
        { status: 'open', detection: detection('d2', undefined, 'alice') },
      ],
      ['open'],
    );
    expect(messages.map((m) => m.key)).toEqual(['203.0.113.9:', ':alice']);
    expect(JSON.parse(messages[0]!.value)).toMatchObject({ status: 'open', detection: { id: 'd1', sourceIp: '203.0.113.9' } });
    expect(messages[1]!.headers).toEqual({ 'vigil-detection-id': 'd2', 'vigil-status': 'open' });
  });
});
