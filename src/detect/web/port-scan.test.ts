import { describe, expect, it } from 'vitest';
import type { Detection } from '../../core/detection.js';
import { IdGenerator } from '../../core/ids.js';
import type { DetectionListener } from '../detector.js';
import { PortScanDetector, type PortScanConfig } from './port-scan.js';

const defaults: PortScanConfig = { enabled: true, distinctPorts: 20, windowSeconds: 60, severity: 'MEDIUM', maxTrackedIps: 1000 };

function harness(config: Partial<PortScanConfig> = {}) {
  const opened: Detection[] = [];
  const closed: Detection[] = [];
  const listener: DetectionListener = { opened: (d) => opened.push(d), closed: (d) => closed.push(d) };
  const detector = new PortScanDetector({ ...defaults, ...config }, listener, new IdGenerator('det', 't'));
  let n = 0;
  const hit = (ip: string, ms: number, port: number) =>
    detector.onEvent({ id: `e${++n}`, timestamp: ms, kind: 'network.connection', sourceIp: ip, destinationPort: port, labels: {} });
  return { detector, opened, closed, hit };
}

describe('PortScanDetector', () => {
  it('19 distinct ports are not a scan; the 20th within the window is', () => {
    const h = harness();
    for (let p = 1; p <= 19; p++) h.hit('203.0.113.1', p * 1000, p);
    h.hit('203.0.113.1', 20_000, 5); // a repeated port adds nothing
    expect(h.opened).toHaveLength(0);
    h.hit('203.0.113.1', 21_000, 20);
    expect(h.opened).toHaveLength(1);
    expect(h.opened[0]).toMatchObject({ type: 'port_scan', severity: 'MEDIUM', sourceIp: '203.0.113.1' });
    expect(h.opened[0]?.evidence.distinctPorts).toBe(20);
    expect(h.opened[0]?.evidence.eventCount).toBe(21);
  });

  it('ports spread over more than the window do not add up', () => {
    const h = harness();
    for (let p = 1; p <= 40; p++) h.hit('203.0.113.2', p * 4000, p); // one port every 4 s: 15 per minute
    expect(h.opened).toHaveLength(0);
  });

  it('extends the open detection with new ports and ignores events without a port', () => {
    const h = harness({ distinctPorts: 3 });
    for (const p of [22, 80, 443]) h.hit('203.0.113.3', 0, p);
    h.hit('203.0.113.3', 10, 8080);
    h.hit('203.0.113.3', 20, 8080);
    h.detector.onEvent({ id: 'x', timestamp: 30, kind: 'login.failure', sourceIp: '203.0.113.3', labels: {} });
    expect(h.opened).toHaveLength(1);
    expect(h.opened[0]?.evidence.distinctPorts).toBe(4);
    expect(h.opened[0]?.evidence.ports).toEqual([22, 80, 443, 8080]);
    expect(h.opened[0]?.evidence.eventCount).toBe(5);
  });
});
