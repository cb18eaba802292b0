import { describe, expect, it } from 'vitest';
import { scanLines } from './scan.js';

async function run(lines: string[] | AsyncIterable<string>, input: 'raw' | 'nginx' | 'apache'): Promise<unknown[]> {
  const out: string[] = [];
  await scanLines(lines, input, (l) => out.push(l));
  return out.map((l) => JSON.parse(l) as unknown);
}

describe('scanLines', () => {
  it('prints one verdict per raw line, in order, numbered from 1', async () => {
    const out = await run(["O'Brien", "1' OR '1'='1", '<script>alert(1)</script>'], 'raw');
    expect(out).toHaveLength(3);
    expect(out[0]).toEqual({ line: 1, attack: null, confidence: 0, rule: '', evidence: '' });
    expect(out[1]).toMatchObject({ line: 2, attack: 'sqli', rule: 'sqli.tautology' });
    expect(out[2]).toMatchObject({ line: 3, attack: 'xss', rule: 'xss.script-tag' });
    expect(Object.keys(out[1] as object)).toEqual(['line', 'attack', 'confidence', 'rule', 'evidence']);
  });

  it('decodes and splits access-log requests, and reports unparseable lines', async () => {
    async function* lines(): AsyncIterable<string> {
      yield '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /search?q=red+shoes HTTP/1.1" 200 2326 "-" "curl/8"';
      yield 'garbage line';
      yield '10.0.0.2 - - [10/Oct/2000:13:55:37 -0700] "GET /item?id=1%27%20union%20select%201,2--&x=1 HTTP/1.1" 200 10 "-" "sqlmap"';
      yield '10.0.0.3 - - [10/Oct/2000:13:55:38 -0700] "GET /static/..%2f..%2f..%2fetc%2fpasswd HTTP/1.1" 404 0 "-" "x"';
    }
    const out = await run(lines(), 'nginx');
    expect(out[0]).toMatchObject({ line: 1, attack: null });
    expect(out[1]).toMatchObject({ line: 2 });
    expect((out[1] as { error: string }).error).toMatch(/nginx access log: client address/);
    expect(out[2]).toMatchObject({ line: 3, attack: 'sqli', rule: 'sqli.union-select' });
    expect((out[2] as { evidence: string }).evidence).toContain('union select');
    expect(out[3]).toMatchObject({ line: 4, attack: 'traversal' });
  });

  it('accepts apache vhost-prefixed lines', async () => {
    const out = await run(['www.example.com:443 10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /?cmd=%3Bcat%20/etc/passwd HTTP/1.1" 200 1 "-" "x"'], 'apache');
    expect(out[0]).toMatchObject({ line: 1, attack: 'cmdi' });
  });
});
