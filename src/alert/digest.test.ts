import { describe, expect, it } from 'vitest';
import { testAlert, type Alert } from './alert.js';
import { AlertDigest, digestAlert } from './digest.js';

function low(type: string, ip: string): Alert {
  return { ...testAlert('a', 0), type, subject: { scope: 'ip', value: ip } };
}

describe('hourly digest of LOW alerts', () => {
  it('summarises counts by type and the top sources, then starts over', () => {
    const digest = new AlertDigest(2);
    expect(digest.flush(0)).toBeUndefined();
    const t0 = Date.UTC(2026, 0, 1);
    digest.add(low('scan', '198.51.100.1'), t0);
    digest.add(low('scan', '198.51.100.1'), t0 + 1000);
    digest.add(low('brute_force', '198.51.100.2'), t0 + 2000);
    digest.add(low('scan', '198.51.100.3'), t0 + 3000);
    digest.add(low('xss', '198.51.100.2'), t0 + 4000);
    const summary = digest.flush(t0 + 3_600_000);
    expect(summary).toEqual({
      from: t0,
      to: t0 + 3_600_000,
      total: 5,
      byType: [
        { type: 'scan', count: 3 },
        { type: 'brute_force', count: 1 },
        { type: 'xss', count: 1 },
      ],
      topSources: [
        { source: '198.51.100.1', count: 2 },
        { source: '198.51.100.2', count: 2 },
      ],
    });
    expect(digest.flush(t0 + 7_200_000)).toBeUndefined();

    const alert = digestAlert('digest-1', summary!, 'https://vigil.example/');
    expect(alert).toMatchObject({ kind: 'digest', level: 'LOW', eventCount: 5, summary: 'Digest: 5 LOW alerts in the last 60 min' });
    expect(alert.description).toBe('By type: scan: 3, brute_force: 1, xss: 1. Top sources: 198.51.100.1 (2), 198.51.100.2 (2).');
    expect(alert.url).toBe('https://vigil.example/api/v1/alerts?level=LOW');
  });
});
