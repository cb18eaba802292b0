import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReference } from './config-reference.js';

describe('configuration reference', () => {
  it('lists every option with its default, and the README carries exactly this table', () => {
    const table = configReference();
    expect(table).toContain('| `server.port` | integer | `8080` |');
    expect(table).toContain('| `detectors.bruteForce.threshold` | integer | `5` |');
    expect(table).toMatch(/\| `auth\.tokens\[\]\.token` \| string \| — \| .*secret: never logged or printed/);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('<!-- config-reference:start -->\n');
    const end = readme.indexOf('<!-- config-reference:end -->');
    expect(start).toBeGreaterThan(0);
    // Regenerate with: node bin/vigil.js config reference
    expect(readme.slice(start + '<!-- config-reference:start -->\n'.length, end)).toBe(table);
  });
});
