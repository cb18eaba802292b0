import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../core/version.js';
import type { SiemRecord } from '../record.js';
import { FIXTURES } from '../test-fixtures.js';
import { formatCef } from './cef.js';
import { formatEcsBulk } from './ecs.js';
import { formatHecBatch } from './hec.js';
import { formatHttpJsonBody } from './http-json.js';
import { formatLeef } from './leef.js';
import { formatSentinelBody } from './sentinel.js';
import { formatRfc3164, formatRfc5424 } from './syslog.js';

/**
 * One contract run against every formatter (Hono's common.case pattern):
 * each fixture's output must equal its golden file in src/siem/testdata/<format>/.
 * Golden files were written once, then checked by hand against the format's
 * specification; regenerate with UPDATE_GOLDEN=1 and review the diff.
 * The package version is written as {VERSION} so a release does not churn them.
 */
const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata');

const FORMATTERS: Record<string, { ext: string; format: (r: SiemRecord) => string }> = {
  cef: { ext: 'cef', format: (r) => formatCef(r) },
  'leef-tab': { ext: 'leef', format: (r) => formatLeef(r) },
  'leef-caret': { ext: 'leef', format: (r) => formatLeef(r, { delimiter: '^', delimiterNotation: 'char' }) },
  hec: { ext: 'json', format: (r) => formatHecBatch([r], { host: 'vigil-host', index: 'security' }) },
  ecs: { ext: 'ndjson', format: (r) => formatEcsBulk([r], { index: 'logs-vigil.alerts-default' }) },
  sentinel: { ext: 'json', format: (r) => formatSentinelBody([r]) },
  http: { ext: 'json', format: (r) => formatHttpJsonBody([r]) },
  'rfc5424-json': { ext: 'log', format: (r) => formatRfc5424(r, { hostname: 'vigil-host', procId: '4242', body: 'json' }) },
  'rfc5424-cef': { ext: 'log', format: (r) => formatRfc5424(r, { hostname: 'vigil-host', procId: '4242', body: 'cef', maxMessageBytes: 2048 }) },
  'rfc3164-text': { ext: 'log', format: (r) => formatRfc3164(r, { hostname: 'vigil-host', procId: '4242', body: 'text' }) },
};

describe.each(Object.entries(FORMATTERS))('%s formatter', (format, { ext, format: render }) => {
  it.each(Object.entries(FIXTURES))('%s matches its golden file', (fixture, record) => {
    const text = render(record).split(VERSION).join('{VERSION}');
    const file = join(TESTDATA, format, `${fixture}.${ext}`);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`golden file ${file} was missing; written, review it and run again`);
    }
    expect(text).toBe(readFileSync(file, 'utf8'));
  });

  it('keeps hostile input on one line and well-formed', () => {
    const text = render(FIXTURES['detection-hostile'] as SiemRecord);
    // Only the NDJSON formats have line breaks, and only between their lines.
    const lines = ext === 'ndjson' ? text.trimEnd().split('\n') : [text];
    // eslint-disable-next-line no-control-regex
    expect(lines.every((line) => !/[\r\n\u0000]/.test(line))).toBe(true);
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    if (ext === 'json' || ext === 'ndjson') for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });
});
