import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = new URL('../../bin/vigil.js', import.meta.url).pathname;
const testdata = (name: string) => new URL(`../../src/intel/testdata/${name}`, import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-cli-ioc-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function vigil(args: string[], input?: string) {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('VIGIL_')) delete env[name];
  env.VIGIL_DATA_DIR = dataDir;
  const result = spawnSync(process.execPath, [bin, ...args], { input, env, cwd: dataDir, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('vigil ioc', () => {
  it('adds, imports every feed format, checks, reports statistics and expires, on the configured store', () => {
    const add = vigil(['ioc', 'add', '198.51.100.7', 'Evil.Example', '--threat-type', 'c2', '--confidence', '80', '--tags', 'ops']);
    expect(add.code).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ valid: 2, inserted: 2 });

    const stix = vigil(['ioc', 'import', testdata('stix-bundle.json'), '--source', 'cert']);
    expect(stix.code).toBe(0);
    expect(JSON.parse(stix.stdout)).toMatchObject({ format: 'stix', inserted: 7, unsupported: 3 });
    const misp = vigil(['ioc', 'import', testdata('misp-event.json')]);
    expect(JSON.parse(misp.stdout)).toMatchObject({ format: 'misp', source: 'misp-event.json', inserted: 7 });
    const csv = vigil(['ioc', 'import', '-', '--format', 'csv', '--csv-value', 'indicator', '--csv-threat-type', 'kind'], 'indicator,kind\n192.0.2.0/24,scanner\n');
    expect(JSON.parse(csv.stdout)).toMatchObject({ format: 'csv', inserted: 1 });
    // An invalid line is reported (exit 4), the valid ones are still imported.
    const plain = vigil(['ioc', 'import', '-', '--ttl-days', '1'], '# list\n203.0.113.200\nnot-an-indicator\n');
    expect(plain.code).toBe(4);
    expect(JSON.parse(plain.stdout)).toMatchObject({ format: 'text', valid: 1, invalid: 1 });
    const broken = vigil(['ioc', 'import', '-', '--format', 'stix'], '{"type": "bundle", ');
    expect(broken.code).toBe(4);
    expect(broken.stderr).toMatch(/STIX/);

    const check = vigil(['ioc', 'check', '192.0.2.77', 'login.evil.example', '203.0.113.9', '8.8.8.8']);
    expect(check.code).toBe(0);
    const results = check.stdout.trim().split('\n').map((l) => JSON.parse(l) as { value: string; match: { value: string; matchedBy: string } | null });
    expect(results.map((r) => r.match && [r.match.value, r.match.matchedBy])).toEqual([
      ['192.0.2.0/24', 'cidr'],
      ['evil.example', 'domain'],
      ['203.0.113.0/24', 'cidr'],
      null,
    ]);

    const stats = JSON.parse(vigil(['ioc', 'stats']).stdout) as { total: number; bySource: Record<string, number> };
    expect(stats.total).toBe(18);
    expect(stats.bySource).toMatchObject({ cert: 7, 'misp-event.json': 7, manual: 2, import: 2 });
    expect(JSON.parse(vigil(['ioc', 'expire']).stdout)).toEqual({ expired: 0 });
  }, 240_000); // nine process starts on a shared machine
});
