import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { IdGenerator } from '../../src/core/ids.js';
import { PARSER_NAMES, getParser, detectParser } from '../../src/parsers/index.js';
import { normalizeNative } from '../../src/parsers/native-json.js';
import type { LineParser, ParseContext, ParseOutcome } from '../../src/parsers/parser.js';
import { classicTimeLength, parseClassicTime, parseIsoTime, wallTimeToEpoch } from '../../src/parsers/syslog-time.js';
import { parseAccessLogLine, parseAccessLogTime } from '../../src/parsers/access-log.js';
import { parseSyslog } from '../../src/parsers/syslog.js';
import { parseSshdMessage } from '../../src/parsers/sshd.js';
import { anyText, deepJson, hugeLine, lineInputs, mutated } from './arbitraries.js';
import { assertInChunks, counted, FULL, report, runs, TIMEOUT_MS, writeReport } from './fuzz-budget.js';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const ctx: ParseContext = { ids: new IdGenerator('fz'), now: () => NOW, timeZone: 'Europe/Berlin', labels: { source: 'fuzz' } };

/** Valid lines per parser: the fuzzer mutates them to reach deep into each format. */
const SAMPLES: Record<string, string[]> = {
  native: [
    '{"eventType":"LOGIN_FAILURE","sourceIp":"203.0.113.5","username":"alice","reason":"INVALID_PASSWORD","timestamp":"2026-03-01T10:00:00Z"}',
    '{"eventType":"XSS_ATTACK","clientIp":"2001:db8::1","eventData":"<script>","http":{"method":"GET","path":"/a","status":403},"timestamp":1772359200000}',
    '{"kind":"http.request","sourceIp":"198.51.100.7","destinationPort":22,"timestamp":1772359200000}',
  ],
  ecs: [
    '{"@timestamp":"2024-05-01T12:00:00.123Z","ecs.version":"8.11.0","event.category":["authentication"],"event.outcome":"failure","source.ip":"::ffff:198.51.100.4","user.name":"alice","user_agent.original":"curl/8.0"}',
    '{"@timestamp":"2024-05-01T12:00:00Z","event":{"category":["web"],"outcome":"success"},"source":{"ip":"192.0.2.1"},"url":{"path":"/x","query":"a=1"},"http":{"request":{"method":"POST"},"response":{"status_code":500}}}',
  ],
  journal: [
    '{"__REALTIME_TIMESTAMP":"1763457365123456","_HOSTNAME":"bastion-01","SYSLOG_IDENTIFIER":"sshd","_PID":"4242","MESSAGE":"Failed password for root from 192.0.2.1 port 1 ssh2"}',
    '{"__REALTIME_TIMESTAMP":"1763457365123456","SYSLOG_IDENTIFIER":"sshd","MESSAGE":[70,97,105,108]}',
  ],
  spring: [
    '2024-05-01 12:00:00.123  WARN 1234 --- [nio-8080-exec-1] o.s.s.a.event.LoggerListener             : Authentication event AuthenticationFailureBadCredentialsEvent: alice; details: WebAuthenticationDetails [RemoteIpAddress=1.2.3.4, SessionId=null]; exception: Bad credentials',
    '2024-05-01 12:00:05.001  INFO 1234 --- [nio-8080-exec-2] o.s.s.a.event.LoggerListener             : Authentication event AuthenticationSuccessEvent: alice; details: WebAuthenticationDetails [RemoteIpAddress=1.2.3.4, SessionId=A1B2C3]',
  ],
  nginx: [
    '203.0.113.5 - - [01/Mar/2026:10:00:00 +0000] "GET /login?user=a%27--&x=1 HTTP/1.1" 401 123 "-" "curl/8.0"',
    '2001:db8::5 - bob [01/Mar/2026:10:00:00 -0730] "POST /api HTTP/2.0" 200 - "https://x/" "Mozilla/5.0 (X11)" 0.003',
  ],
  apache: [
    'example.com:443 203.0.113.5 - - [01/Mar/2026:10:00:00 +0000] "POST /login HTTP/1.1" 200 12 "-" "Mozilla"',
    '198.51.100.9 - - [01/Mar/2026:10:00:00 +0100] "GET /../../etc/passwd HTTP/1.0" 404 0',
  ],
  sshd: [
    'Nov 18 00:00:01 bastion-01 sshd[2001]: Invalid user admin from 203.0.113.7 port 50022',
    'Nov 18 00:00:01 bastion-01 sshd[2001]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7',
    'Nov  8 00:00:02 bastion-01 sshd[2002]: Failed password for invalid user root from 2001:db8::7 port 22 ssh2',
    'Nov 18 00:00:03 bastion-01 sshd[2003]: Accepted publickey for deploy from 192.0.2.9 port 40000 ssh2: RSA SHA256:abc',
  ],
  syslog: [
    '<38>1 2026-03-01T10:00:00.123+01:00 host sshd 123 - [meta x="1" y="a\\"b"] Failed password for root from 203.0.113.5 port 22 ssh2',
    '<86>Mar  1 10:00:00 host sshd[99]: Connection closed by authenticating user root 203.0.113.5 port 22 [preauth]',
    '<13>1 - - - - - -',
  ],
};

const KEYS = [
  'eventType', 'kind', 'sourceIp', 'clientIp', 'username', 'userId', 'reason', 'timestamp', 'eventData', 'http', 'sessionId', 'userAgent',
  'destinationPort', '@timestamp', 'event.category', 'event.outcome', 'source.ip', 'user.name', 'event', 'source', 'user', 'url',
  '__REALTIME_TIMESTAMP', 'SYSLOG_IDENTIFIER', 'MESSAGE', '_PID', '_HOSTNAME',
];

/** The contract: never throws; exactly one of event / error / skipped; an event is well formed. */
function checkOutcome(outcome: ParseOutcome): void {
  const set = [outcome.event !== undefined, outcome.error !== undefined, outcome.skipped === true].filter(Boolean).length;
  if (set !== 1) throw new Error(`outcome must be exactly one of event/error/skipped: ${JSON.stringify(outcome)}`);
  if (outcome.error !== undefined && (typeof outcome.error !== 'string' || outcome.error.length === 0)) throw new Error('empty error');
  const e = outcome.event;
  if (e === undefined) return;
  if (typeof e.id !== 'string' || e.id === '') throw new Error('event without id');
  if (!Number.isFinite(e.timestamp)) throw new Error(`timestamp not finite: ${e.timestamp}`);
  if (typeof e.kind !== 'string' || e.kind === '') throw new Error('event without kind');
  if (typeof e.sourceIp !== 'string') throw new Error('sourceIp not a string');
  if (typeof e.labels !== 'object' || e.labels === null) throw new Error('labels missing');
  // The event must survive the journal and the store (JSON).
  JSON.parse(JSON.stringify(e));
}

function parseProperty(parser: LineParser, input: fc.Arbitrary<string>) {
  return fc.property(input, (line) => {
    parser.detect(line);
    checkOutcome(parser.parse(line, ctx));
  });
}

describe('fuzz: parsers never throw and answer event, error or skip', () => {
  afterAll(() => {
    if (FULL) console.log(report());
    writeReport();
  });

  it('covers every registered parser', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...PARSER_NAMES].sort());
    for (const [name, lines] of Object.entries(SAMPLES)) {
      // The samples are valid: each parses to an event, or (companion lines) is at least no error.
      for (const line of lines) expect(getParser(name)?.parse(line, ctx).error, `${name}: ${line}`).toBeUndefined();
    }
  });

  for (const name of PARSER_NAMES) {
    const parser = getParser(name) as LineParser;
    const samples = SAMPLES[name] ?? [];

    it(`${name}: arbitrary text, mutated valid lines, wrong types`, async () => {
      const n = runs(100_000);
      await assertInChunks(parseProperty(parser, lineInputs(samples, KEYS)), n);
      counted(`${name} lines`, n);
    }, TIMEOUT_MS);

    it(`${name}: huge lines and deep JSON`, async () => {
      const n = runs(1_500, 30);
      await assertInChunks(parseProperty(parser, fc.oneof(hugeLine, deepJson)), n);
      counted(`${name} huge/deep`, n);
    }, TIMEOUT_MS);
  }

  it('auto-detection over arbitrary samples', async () => {
    const n = runs(20_000, 200);
    await assertInChunks(fc.property(fc.array(lineInputs(Object.values(SAMPLES).flat(), KEYS), { maxLength: 8 }), (lines) => void detectParser(lines)), n);
    counted('detectParser', n);
  }, TIMEOUT_MS);

  it('normalizeNative: any JSON value', async () => {
    const n = runs(100_000);
    const native = { ids: ctx.ids, now: ctx.now, fallbackIp: undefined, labels: {} };
    await assertInChunks(
      fc.property(fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: true, withDate: true, withMap: true }), (value) => checkOutcome(normalizeNative(value, native))),
      n,
    );
    counted('normalizeNative', n);
  }, TIMEOUT_MS);

  it('syslog-time: classic and ISO stamps, wall time in any zone', async () => {
    const n = runs(100_000);
    const stamp = fc.oneof(anyText, mutated(['Mar  1 10:00:00', 'Dec 31 23:59:59', '2026-03-01T10:00:00.123456+01:00', '2026-02-29 24:00:00Z']));
    const zone = fc.constantFrom('UTC', 'Europe/Berlin', 'America/St_Johns', 'Asia/Kolkata', 'Pacific/Kiritimati');
    await assertInChunks(
      // Wall times come from parsed 4-digit years: years 0000–9999 are the function's domain.
      fc.property(stamp, fc.nat({ max: 40 }), zone, fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (text, start, tz, wall) => {
        const len = classicTimeLength(text, start);
        if (!(len >= 0)) throw new Error('negative length');
        const classic = parseClassicTime(text, start, NOW, tz);
        const iso = parseIsoTime(text, tz);
        const epoch = wallTimeToEpoch(wall, tz);
        for (const v of [classic, iso, epoch]) if (typeof v !== 'number') throw new Error('not a number');
      }),
      n,
    );
    counted('syslog-time', n);
  }, TIMEOUT_MS);

  it('syslog envelope, sshd messages and access-log fields directly', async () => {
    const n = runs(100_000);
    const meta = { host: 'h', program: 'sshd', pid: '1', timestamp: NOW, labels: {} };
    await assertInChunks(
      fc.property(fc.oneof(anyText, mutated([...SAMPLES.syslog ?? [], ...SAMPLES.sshd ?? [], ...SAMPLES.nginx ?? []])), fc.boolean(), (line, vhost) => {
        parseSyslog(line, { now: NOW, timeZone: 'Europe/Berlin' });
        checkOutcome(parseSshdMessage(line, meta as unknown as Parameters<typeof parseSshdMessage>[1], ctx));
        parseAccessLogLine(line, vhost);
        parseAccessLogTime(line);
      }),
      n,
    );
    counted('syslog/sshd/access-log internals', n);
  }, TIMEOUT_MS);
});
