/**
 * Detector memory with 1M distinct IPs and 1M distinct users tracked, all
 * detectors of the default configuration (or the one named). Run in its own process so
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
  /** Typed-array columns live outside the JS heap: counted here (and in RSS), not in heapMiB. */
  arrayBuffersMiB: number;
  tracked: string;
}

const AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0';

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
  const initial = process.memoryUsage();
  const before = initial.heapUsed;
  const start = Date.parse('2026-01-05T00:00:00Z');
  for (let i = 0; i < keys; i++) {
    // Each IP fails once on its own user, and the user then gets in from a
    // located address: per-IP state (brute force, stuffing, spraying and its
    // /24, takeover) and per-user state (distributed, takeover familiarity,
    // impossible travel) all hold `keys` entries.
    const username = `user${i}`;
    const failure: SecurityEvent = {
      id: `f${i}`,
      timestamp: start + i,
      kind: 'login.failure',
      sourceIp: spreadIp(i),
      username,
      userAgent: AGENT,
      labels: {},
    };
    const success: SecurityEvent = { ...failure, id: `s${i}`, kind: 'login.success', sourceIp: `81.2.69.${i % 250}` };
    for (const detector of detectors) detector.onEvent(failure);
    for (const detector of detectors) detector.onEvent(success);
    if (i % 100_000 === 99_999) for (const detector of detectors) detector.advance(success.timestamp);
  }
  gc?.();
  const usage = process.memoryUsage();
  return {
    detectors: only,
    keys,
    heapMiB: Math.round((usage.heapUsed - before) / 1048576),
    rssMiB: Math.round(usage.rss / 1048576),
    arrayBuffersMiB: Math.round((usage.arrayBuffers - initial.arrayBuffers) / 1048576),
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
