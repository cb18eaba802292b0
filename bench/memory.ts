/**
 * Detector memory with 1M distinct IPs and 1M distinct users tracked: one
 * failed login per (IP, user) pair, every tenth a success, all detectors of
 * the default configuration (or the one named). Run in its own process so
 * RSS is this workload's alone:
 *
 *   node --expose-gc dist/bench/memory.js [detectorName|all] [keys]
 */
import { loadConfig } from '../src/core/config.js';
import type { SecurityEvent } from '../src/core/event.js';
import { IdGenerator } from '../src/core/ids.js';
import { createDetectors } from '../src/detect/index.js';

export interface MemoryFigures {
  detectors: string;
  keys: number;
  heapMiB: number;
  rssMiB: number;
  tracked: string;
}

export function measureDetectorMemory(only: string, keys: number): MemoryFigures {
  const { config } = loadConfig({ env: {}, cwd: '/' });
  if (only !== 'all') {
    for (const [name, detector] of Object.entries(config.detectors)) (detector as { enabled: boolean }).enabled = name === only;
  }
  const detectors = createDetectors(config.detectors, { opened() {}, closed() {} }, new IdGenerator('det'), {
    geoip: config.geoip,
    resolvePath: (path) => path,
  });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < keys; i++) {
    const event: SecurityEvent = {
      id: `ev-${i}`,
      // 10 events per ms of event time: 1M keys within 100 s, all inside every window.
      timestamp: start + Math.floor(i / 10),
      kind: i % 10 === 0 ? 'login.success' : 'login.failure',
      sourceIp: spreadIp(i),
      username: `user${i}`,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0',
      labels: {},
    };
    for (const detector of detectors) detector.onEvent(event);
    if (i % 100_000 === 99_999) for (const detector of detectors) detector.advance(event.timestamp);
  }
  gc?.();
  const usage = process.memoryUsage();
  return {
    detectors: only,
    keys,
    heapMiB: Math.round((usage.heapUsed - before) / 1048576),
    rssMiB: Math.round(usage.rss / 1048576),
    tracked: detectors
      .filter((d) => d.stats().trackedKeys > 0)
      .map((d) => `${d.name} ${d.stats().trackedKeys.toLocaleString('en')}`)
      .join(', '),
  };
}

/**
 * Distinct public-looking IPv4 addresses scattered over the address space
 * (a bijective multiplicative hash), so that, as on the Internet, almost
 * every address is in its own /24.
 */
function spreadIp(i: number): string {
  const x = Math.imul(i + 1, 0x9e3779b1) >>> 0;
  return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
}

if (process.argv[1]?.endsWith('memory.js')) {
  const figures = measureDetectorMemory(process.argv[2] ?? 'all', Number(process.argv[3] ?? 1_000_000));
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
