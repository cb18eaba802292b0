import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import type { Detection } from '../../src/core/detection.js';
import { nativeJsonParser } from '../../src/parsers/native-json.js';
import { replay } from '../../src/pipeline/replay.js';
import { syntheticLogins } from '../../bench/synthetic-logins.js';
import { startService, type RunningService } from '../helpers/service.js';

let running: RunningService | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function fingerprint(d: Detection): string {
  return `${d.type} ${d.sourceIp} ${d.evidence.eventCount} ${d.evidence.firstSeen} ${d.evidence.lastSeen}`;
}

describe('replay gives the same detections as live ingestion', () => {
  it('on a synthetic login stream with planted brute-force attackers', async () => {
    const stream = syntheticLogins({ events: 20_000, ips: 2000, attackers: 40, seed: 7, start: Date.parse('2026-03-01T00:00:00Z'), gapMs: 200 });
    const { config } = loadConfig({ env: {}, cwd: '/' });
    const replayed: Detection[] = [];
    const chunks = [];
    const text = stream.lines.join('\n') + '\n';
    for (let i = 0; i < text.length; i += 65_536) chunks.push(text.slice(i, i + 65_536));
    const summary = await replay(
      (async function* () {
        yield* chunks;
      })(),
      { parser: nativeJsonParser, config, onDetection: (d) => void replayed.push(d) },
    );
    expect(summary.events).toBe(20_000);
    expect(summary.errors).toBe(0);

    // Live: the same lines posted over HTTP in uneven batches; the wall clock must not close windows early.
    running = await startService({ 'pipeline.maxLatenessSeconds': 1e12 });
    let offset = 0;
    let size = 1;
    while (offset < stream.lines.length) {
      const body = stream.lines.slice(offset, offset + size).join('\n');
      const response = await fetch(`${running.url}/api/v1/events/ndjson`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body,
      });
      expect(response.status).toBe(202);
      offset += size;
      size = (size * 7) % 1993 + 1;
    }
    const dataDir = running.dataDir;
    await running.service.stop();
    const live = readFileSync(join(dataDir, 'detections.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Detection)
      .filter((d) => d.status === 'closed');

    expect(replayed.length).toBeGreaterThanOrEqual(40);
    expect(live.map(fingerprint).sort()).toEqual(replayed.map(fingerprint).sort());
    // Every planted attacker is found.
    const found = new Set(replayed.map((d) => d.sourceIp));
    for (const ip of stream.attackerIps) expect(found.has(ip)).toBe(true);
  });
});
