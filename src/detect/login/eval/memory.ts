import { IdGenerator } from '../../../core/ids.js';
import type { SecurityEvent } from '../../../core/event.js';
import { GeoIp } from '../../../enrich/geoip.js';
import type { Detector } from '../../detector.js';
import { createLoginDetectors } from './evaluate.js';

/**
 * Memory bound check (not a test): RSS with N distinct IPs and N distinct
 * users tracked by every login detector at once. Each IP fails once on its
 * own user and each user then succeeds from a located address, so per-IP
 * state (brute force, stuffing, spraying + its /24, takeover) and per-user
 * state (distributed, takeover familiarity, impossible travel) all hold N keys.
 *   node --expose-gc dist/src/detect/login/eval/memory.js [N] [--only-new]
 */
const n = Number(process.argv[2] ?? 1_000_000);
const onlyNew = process.argv.includes('--only-new');
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const geo = new GeoIp({ cacheSize: 10_000 });
geo.lookup('8.8.8.8');
gc?.();
const base = process.memoryUsage();
let detectors: Detector[] = createLoginDetectors({ opened: () => {}, closed: () => {} }, new IdGenerator('m', 'mem'), geo);
if (onlyNew) detectors = detectors.filter((d) => d.name !== 'brute_force');
const t0 = Date.UTC(2026, 0, 5);
const event: SecurityEvent = { id: '', timestamp: 0, kind: 'login.failure', sourceIp: '', labels: {} };
for (let i = 0; i < n; i++) {
  // Distinct addresses in distinct /24s (the worst case for the range keys).
  const ip = `${11 + ((i >>> 16) % 200)}.${(i >>> 8) & 255}.${i & 255}.${1 + (i % 200)}`;
  const user = `user${i}`;
  event.id = `f${i}`;
  event.kind = 'login.failure';
  event.sourceIp = ip;
  event.username = user;
  event.timestamp = t0 + i;
  for (const d of detectors) d.onEvent(event);
  event.id = `s${i}`;
  event.kind = 'login.success';
  event.sourceIp = `81.2.69.${i % 250}`;
  for (const d of detectors) d.onEvent(event);
}
gc?.();
const after = process.memoryUsage();
console.log(`${n.toLocaleString('en-US')} IPs + ${n.toLocaleString('en-US')} users, detectors: ${detectors.map((d) => d.name).join(', ')}`);
for (const d of detectors) console.log(`  ${d.name}: ${JSON.stringify(d.stats())}`);
console.log(
  `RSS ${(after.rss / 1e6).toFixed(0)} MB (GeoIP + runtime before: ${(base.rss / 1e6).toFixed(0)} MB); ` +
    `heap used by detector state ${((after.heapUsed - base.heapUsed) / 1e6).toFixed(0)} MB`,
);
