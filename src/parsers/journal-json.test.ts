import { describe, expect, it } from 'vitest';
import { IdGenerator } from '../core/ids.js';
import { journalJsonParser, journalMessage } from './journal-json.js';

const ctx = { ids: new IdGenerator('t', 'x'), now: () => 0 };
const entry = (fields: Record<string, unknown>): string =>
  JSON.stringify({ __REALTIME_TIMESTAMP: '1763457365123456', _HOSTNAME: 'bastion-01', SYSLOG_IDENTIFIER: 'sshd', _PID: '4242', ...fields });

describe('journalJsonParser', () => {
  it('dispatches sshd MESSAGE to the sshd parser with journal fields', () => {
    const out = journalJsonParser.parse(entry({ MESSAGE: 'Failed password for root from 192.0.2.1 port 1 ssh2' }), ctx);
    expect(out.event).toMatchObject({
      kind: 'login.failure',
      timestamp: 1763457365123,
      sourceIp: '192.0.2.1',
      labels: { host: 'bastion-01', program: 'sshd', pid: '4242' },
    });
  });

  it('decodes MESSAGE given as a byte array (UTF-8)', () => {
    const bytes = [...Buffer.from('Failed password for invalid user jürgen from 2001:db8::1 port 1 ssh2', 'utf8')];
    const out = journalJsonParser.parse(entry({ MESSAGE: bytes }), ctx);
    expect(out.event).toMatchObject({ username: 'jürgen', sourceIp: '2001:db8::1' });
    expect(journalMessage([300])).toBeUndefined();
  });

  it('skips other identifiers and non-events', () => {
    expect(journalJsonParser.parse(entry({ SYSLOG_IDENTIFIER: 'systemd', MESSAGE: 'Started x' }), ctx)).toEqual({ skipped: true });
    expect(journalJsonParser.parse(entry({ MESSAGE: 'Server listening on :: port 22.' }), ctx)).toEqual({ skipped: true });
  });

  it('reports malformed entries', () => {
    expect(journalJsonParser.parse('', ctx).error).toMatch(/empty/);
    expect(journalJsonParser.parse('{"MESSAGE": "sshd', ctx).error).toMatch(/invalid JSON/);
    expect(journalJsonParser.parse(entry({ MESSAGE: null }), ctx).error).toMatch(/MESSAGE/);
    expect(journalJsonParser.parse(entry({ __REALTIME_TIMESTAMP: 'soon', MESSAGE: 'Failed password for a from 1.2.3.4' }), ctx).error).toMatch(/__REALTIME_TIMESTAMP/);
    expect(journalJsonParser.parse('{"sshd":"' + 'x'.repeat(1024 * 1024) + '"}', ctx).error).toMatch(/characters long/);
  });

  it('detects journal JSON', () => {
    expect(journalJsonParser.detect(entry({ MESSAGE: 'x' }))).toBe(true);
    expect(journalJsonParser.detect('Nov 18 09:16:05 h sshd[1]: x')).toBe(false);
  });
});
