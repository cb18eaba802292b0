import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import type { Detection } from '../../core/detection.js';
import { nativeJsonParser } from '../../parsers/native-json.js';
import { replay } from '../../pipeline/replay.js';

/**
 * Data-driven detector cases: every folder under testdata/ holds the input
 * (`events.ndjson`, native login events), a README saying what it shows, and
 * the detections the default configuration must produce (`expected.ndjson`,
 * one line per detection: type, subject, severity, event count, sorted).
 * Add a case by adding a folder; `VIGIL_UPDATE_TESTDATA=1` writes a missing
 * expected file, which must then be reviewed like code.
 */
const root = join(fileURLToPath(new URL('.', import.meta.url)), 'testdata');
const cases = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

interface Summary {
  type: string;
  sourceIp?: string;
  username?: string;
  severity: string;
  eventCount: number;
}

function summarise(detection: Detection): Summary {
  const summary: Summary = { type: detection.type, severity: detection.severity, eventCount: Number(detection.evidence.eventCount ?? 0) };
  if (detection.sourceIp !== undefined) summary.sourceIp = detection.sourceIp;
  if (detection.username !== undefined) summary.username = detection.username;
  return summary;
}

async function detect(events: string): Promise<string[]> {
  const { config } = loadConfig({ env: {}, cwd: '/' });
  const found: Summary[] = [];
  const result = await replay(
    (async function* () {
      yield events;
    })(),
    { parser: nativeJsonParser, config, onDetection: (d) => void found.push(summarise(d)) },
  );
  expect(result.errors).toBe(0);
  return found.map((s) => JSON.stringify(s)).sort();
}

describe('login detector cases (testdata/<case>)', () => {
  it('has cases to run', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of cases) {
    it(name, async () => {
      const dir = join(root, name);
      const actual = await detect(readFileSync(join(dir, 'events.ndjson'), 'utf8'));
      const expectedFile = join(dir, 'expected.ndjson');
      if (!existsSync(expectedFile) && process.env.VIGIL_UPDATE_TESTDATA === '1') {
        writeFileSync(expectedFile, actual.map((line) => `${line}\n`).join(''));
      }
      const expected = readFileSync(expectedFile, 'utf8').split('\n').filter((line) => line.length > 0);
      expect(actual).toEqual(expected);
    });
  }
});
