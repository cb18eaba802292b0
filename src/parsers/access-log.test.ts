import { describe, expect, it } from 'vitest';
import { IdGenerator } from '../core/ids.js';
import { apacheParser, nginxParser, parseAccessLogTime } from './access-log.js';
import type { ParseContext } from './parser.js';

const ctx: ParseContext = { ids: new IdGenerator('t', 'x'), now: () => 0, labels: { source: 'file' } };

const COMBINED = '1.2.3.4 - frank [10/Oct/2000:13:55:36 -0700] "GET /a?b=c HTTP/1.1" 200 2326 "http://ref.example/" "Mozilla/5.0 (X11)"';

describe('access log parsers', () => {
  for (const parser of [nginxParser, apacheParser]) {
    describe(parser.name, () => {
      it('parses a combined line', () => {
        const out = parser.parse(COMBINED, ctx);
        expect(out.error).toBeUndefined();
        expect(out.event).toMatchObject({
          kind: 'http.request',
          sourceIp: '1.2.3.4',
          username: 'frank',
          userAgent: 'Mozilla/5.0 (X11)',
          timestamp: Date.UTC(2000, 9, 10, 20, 55, 36),
          http: { method: 'GET', path: '/a', query: 'b=c', status: 200, bytes: 2326, headers: { referer: 'http://ref.example/', 'user-agent': 'Mozilla/5.0 (X11)' } },
          labels: { source: 'file', parser: parser.name },
        });
        expect(out.event?.id).toMatch(/^t-x-/);
      });

      it('parses a common line (no referer or agent, size -)', () => {
        const out = parser.parse('::1 - - [01/Jan/2024:00:00:00 +0000] "POST /login HTTP/1.0" 302 -', ctx);
        expect(out.event?.sourceIp).toBe('::1');
        expect(out.event?.username).toBeUndefined();
        expect(out.event?.http).toEqual({ method: 'POST', path: '/login', status: 302, headers: {} });
        expect(out.event?.timestamp).toBe(Date.UTC(2024, 0, 1));
      });

      it('keeps escaped quotes inside quoted fields', () => {
        const out = parser.parse('10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] "GET /q?x=\\"a\\" HTTP/1.1" 200 5 "-" "agent \\"quoted\\""', ctx);
        expect(out.event?.http?.query).toBe('x="a"');
        expect(out.event?.userAgent).toBe('agent "quoted"');
        expect(out.event?.http?.headers).toEqual({ 'user-agent': 'agent "quoted"' });
      });

      it('reports malformed lines with a clear message', () => {
        expect(parser.parse('not a log line', ctx).error).toMatch(/is not an IP address/);
        expect(parser.parse('999.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1', ctx).error).toMatch(/not an IP address/);
        expect(parser.parse('1.2.3.4 - - 10/Oct/2000 "GET / HTTP/1.1" 200 1', ctx).error).toMatch(/time field/);
        expect(parser.parse('1.2.3.4 - - [10/Foo/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1', ctx).error).toMatch(/time/);
        expect(parser.parse('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] GET / 200 1', ctx).error).toMatch(/request field/);
        expect(parser.parse('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" abc 1', ctx).error).toMatch(/status/);
        expect(parser.parse('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 x', ctx).error).toMatch(/response size/);
        expect(parser.parse('   ', ctx).skipped).toBe(true);
      });

      it('detects its format cheaply', () => {
        expect(parser.detect(COMBINED)).toBe(true);
        expect(parser.detect('{"ts":1}')).toBe(false);
        expect(parser.detect('Oct 10 13:55:36 host sshd[1]: Failed password')).toBe(false);
      });
    });
  }

  it('apache accepts a %v:%p vhost prefix, nginx does not', () => {
    const line = `www.example.com:443 ${COMBINED}`;
    const out = apacheParser.parse(line, ctx);
    expect(out.event?.sourceIp).toBe('1.2.3.4');
    expect(out.event?.labels.vhost).toBe('www.example.com:443');
    expect(nginxParser.parse(line, ctx).error).toMatch(/not an IP address/);
  });

  it('keeps a request line that is not METHOD target PROTOCOL', () => {
    const out = nginxParser.parse('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "\\x16\\x03\\x01" 400 0 "-" "-"', ctx);
    expect(out.event?.http?.method).toBeUndefined();
    expect(out.event?.labels.request).toBe('\\x16\\x03\\x01');
  });

  it('parses time zones', () => {
    expect(parseAccessLogTime('10/Oct/2000:13:55:36 -0700')).toBe(Date.UTC(2000, 9, 10, 20, 55, 36));
    expect(parseAccessLogTime('10/Oct/2000:13:55:36 +0530')).toBe(Date.UTC(2000, 9, 10, 8, 25, 36));
    expect(Number.isNaN(parseAccessLogTime('10/Oct/2000 13:55:36'))).toBe(true);
  });
});
