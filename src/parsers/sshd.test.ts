import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IdGenerator } from '../core/ids.js';
import type { ParseContext, ParseOutcome } from './parser.js';
import { sshdParser } from './sshd.js';

const NOW = Date.parse('2026-11-20T00:00:00Z');
const ctx = (extra: Partial<ParseContext> = {}): ParseContext => ({
  ids: new IdGenerator('t', 'x'),
  now: () => NOW,
  ...extra,
});
const parse = (line: string, extra?: Partial<ParseContext>): ParseOutcome => sshdParser.parse(line, ctx(extra));
const event = (line: string) => {
  const out = parse(line);
  if (out.event === undefined) throw new Error(`expected an event for ${line}: ${JSON.stringify(out)}`);
  return out.event;
};
const P = 'Nov 18 09:16:05 bastion-01 sshd[4242]: ';

describe('sshd: attempts (the lines that count)', () => {
  it('Failed password for a valid user', () => {
    const e = event(P + 'Failed password for root from 198.51.100.4 port 50273 ssh2');
    expect(e).toMatchObject({
      kind: 'login.failure',
      sourceIp: '198.51.100.4',
      username: 'root',
      reason: 'INVALID_PASSWORD',
      timestamp: Date.parse('2026-11-18T09:16:05Z'),
      labels: { host: 'bastion-01', program: 'sshd', pid: '4242', parser: 'sshd', method: 'password' },
    });
    expect(e.labels.companion).toBeUndefined();
    expect(e.id).toBe('t-x-00000001');
  });

  it('Failed password for invalid user, IPv6, no port', () => {
    const e = event(P + 'Failed password for invalid user ROOT from aaaa:bbbb:cccc:1234::1:1');
    expect(e).toMatchObject({ sourceIp: 'aaaa:bbbb:cccc:1234::1:1', username: 'ROOT', reason: 'INVALID_USER' });
  });

  it('Failed keyboard-interactive/pam and unicode user names', () => {
    const e = event(P + 'Failed keyboard-interactive/pam for invalid user jürgen from 203.0.113.9 port 33723 ssh2');
    expect(e).toMatchObject({ username: 'jürgen', reason: 'INVALID_USER', labels: { method: 'keyboard-interactive/pam' } });
  });

  it('an injected " from <ip> port <n> ssh2" in the user name cannot choose the address', () => {
    const e = event(P + 'Failed password for invalid user test from 10.10.1.2 port 55555 ssh2 from 127.0.0.1 port 58946 ssh2');
    expect(e.sourceIp).toBe('127.0.0.1');
    expect(e.username).toBe('test from 10.10.1.2 port 55555 ssh2');
    const info = event(P + 'Failed password for invalid user test from 127.0.0.1 port 58946 ssh2: from 10.10.1.2 port 55555 ssh2');
    expect(info.sourceIp).toBe('127.0.0.1');
  });

  it('Failed publickey for an existing account is a companion (clients try several keys)', () => {
    const e = event(P + 'Failed publickey for git from 192.0.2.1 port 57904 ssh2: ECDSA 0e:ff:xx');
    expect(e).toMatchObject({ reason: 'INVALID_KEY', labels: { companion: 'true' } });
    const invalid = event(P + 'Failed publickey for invalid user graysky from 192.0.2.1 port 37954 ssh2: RSA SHA256:v3d');
    expect(invalid.labels.companion).toBeUndefined();
  });

  it('Accepted password / publickey / keyboard-interactive → login.success', () => {
    for (const method of ['password', 'publickey', 'keyboard-interactive/pam']) {
      const e = event(P + `Accepted ${method} for alice from 10.0.0.5 port 51000 ssh2`);
      expect(e).toMatchObject({ kind: 'login.success', sourceIp: '10.0.0.5', username: 'alice', labels: { method } });
    }
  });
});

describe('sshd: companion lines (events, not counted as attempts)', () => {
  const cases: Array<[string, string, string, string | undefined]> = [
    ['Invalid user admin from 192.0.2.1 port 37220', 'INVALID_USER', '192.0.2.1', 'admin'],
    ['Invalid user  from 192.0.2.68 port 34916', 'INVALID_USER', '192.0.2.68', ''],
    ['pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.112  user=root', 'PAM_FAILURE', '192.0.2.112', 'root'],
    ['error: PAM: Authentication failure for test-ipv6 from 2606:2800:220:1:248:1893:25c8:1946', 'PAM_FAILURE', '2606:2800:220:1:248:1893:25c8:1946', 'test-ipv6'],
    ['error: maximum authentication attempts exceeded for root from 61.0.0.1 port 49940 ssh2 [preauth]', 'MAX_AUTH_TRIES', '61.0.0.1', 'root'],
    ['Connection closed by authenticating user root 192.0.2.10 port 46038 [preauth]', 'PREAUTH_DISCONNECT', '192.0.2.10', 'root'],
    ['Connection closed by authenticating user test 127.0.0.1 port 12345 192.0.2.11 port 46039 [preauth]', 'PREAUTH_DISCONNECT', '192.0.2.11', 'test 127.0.0.1 port 12345'],
    ['Disconnected from invalid user admin 192.0.2.6 port 33553 [preauth]', 'PREAUTH_DISCONNECT', '192.0.2.6', 'admin'],
    ['Connection closed by 192.0.2.212 [preauth]', 'PREAUTH_DISCONNECT', '192.0.2.212', undefined],
    ['Received disconnect from 198.51.100.76 port 58846:11: Bye Bye [preauth]', 'PREAUTH_DISCONNECT', '198.51.100.76', undefined],
    ['Received disconnect from 89.24.13.192: 3: com.jcraft.jsch.JSchException: Auth fail', 'AUTH_FAIL', '89.24.13.192', undefined],
    ['Did not receive identification string from 69.61.56.114', 'NO_IDENTIFICATION', '69.61.56.114', undefined],
    ["Bad protocol version identification 'x' from 192.0.2.1' from 69.61.56.115 port 31778", 'BAD_PROTOCOL', '69.61.56.115', undefined],
    ['ROOT LOGIN REFUSED FROM ::ffff:1.2.3.4', 'ROOT_LOGIN_REFUSED', '1.2.3.4', 'root'],
    ['User root from 46.45.128.3 not allowed because listed in DenyUsers', 'USER_NOT_ALLOWED', '46.45.128.3', 'root'],
    ['Disconnecting invalid user admin 192.0.2.117 port 44004: Change of username or service not allowed: (admin,ssh-connection) -> (user,ssh-connection) [preauth]', 'USER_CHANGE', '192.0.2.117', 'admin'],
  ];
  it.each(cases)('%s', (message, reason, ip, user) => {
    const e = event(P + message);
    expect(e).toMatchObject({ kind: 'login.failure', reason, sourceIp: ip, labels: { companion: 'true' } });
    expect(e.username).toBe(user);
  });
});

describe('sshd: skipped and errors', () => {
  it.each([
    'Received disconnect from 10.0.0.5 port 51000:11: disconnected by user',
    'Disconnected from user alice 10.0.0.5 port 51000',
    'pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)',
    'Server listening on :: port 22.',
    'Disconnecting: Too many authentication failures for root [preauth]',
    'error: kex_exchange_identification: Connection closed by remote host',
    'Connection closed by 192.0.2.5',
    'Address 1.2.3.4 maps to x.example.com, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!',
  ])('skips %s', (message) => {
    expect(parse(P + message)).toEqual({ skipped: true });
  });

  it('skips other programs sharing auth.log', () => {
    expect(parse('Nov 18 09:16:05 bastion-01 CRON[1]: pam_unix(cron:session): session opened for user root')).toEqual({ skipped: true });
  });

  it('reports lines that are not syslog at all', () => {
    expect(parse('').error).toMatch(/empty/);
    expect(parse('hello world').error).toMatch(/not an sshd log line/);
    expect(parse('Nov 18 09:16:05').error).toMatch(/truncated/);
  });

  it('reports host names and invalid addresses with an actionable message', () => {
    expect(parse(P + 'Failed password for root from example.com port 22 ssh2').error).toMatch(/UseDNS no/);
    expect(parse(P + 'Failed password for root from 999.1.1.1 port 22 ssh2').error).toMatch(/not an IP address/);
  });

  it('a truncated Failed line is an error, not an event', () => {
    expect(parse(P + 'Failed password for root fr').error).toMatch(/no "from <address>"/);
  });

  it('rejects a 1 MB line cleanly', () => {
    const out = parse(P + 'Failed password for ' + 'x'.repeat(1024 * 1024) + ' from 1.2.3.4 port 1 ssh2');
    expect(out.error).toMatch(/characters long/);
  });

  it('flags clamped time stamps', () => {
    const e = sshdParser.parse('2015-04-16T18:02:50.3+00:00 h sshd[1]: Failed password for root from 192.0.2.1 port 1 ssh2', ctx()).event;
    expect(e?.timestamp).toBe(NOW);
    expect(e?.labels.timeClamped).toBe('true');
  });
});

describe('sshd: envelopes', () => {
  it('RFC 5424, RFC 3339 prefix, no host, bracketed tag, Solaris message id, sshd-session', () => {
    const lines = [
      '<38>1 2026-11-18T09:16:05.954167-04:00 host.example.com sshd 57915 - [timeQuality tzKnown="1"] Failed unknown for invalid user redmond from 192.0.2.1 port 59197 ssh2',
      '2026-11-18T13:16:05.954167+00:00 host sshd[2716]: Failed password for root from 192.0.2.1 port 1 ssh2',
      'Nov 18 13:16:05 sshd[8148]: Failed password for root from 192.0.2.1 port 1 ssh2',
      'Nov 18 13:16:05 [sshd]: Failed password for root from 192.0.2.1 port 1 ssh2',
      'Nov 18 13:16:05 dusky sshd[20878]: [ID 800047 auth.info] Failed keyboard-interactive for <invalid username> from 192.0.2.1 port 42742 ssh2',
      'Nov 18 13:16:05 host sshd-session[77]: Failed password for root from 192.0.2.1 port 1 ssh2',
    ];
    for (const line of lines) {
      const e = event(line);
      expect(e.sourceIp, line).toBe('192.0.2.1');
      expect(e.timestamp, line).toBe(Date.parse('2026-11-18T13:16:05Z') + (line.startsWith('<') || line.startsWith('2026') ? 954 : 0));
    }
  });

  it('uses ctx.timeZone for classic stamps and copies ctx.labels', () => {
    const e = sshdParser.parse(P + 'Failed password for root from 192.0.2.1 port 1 ssh2', ctx({ timeZone: 'Europe/Berlin', labels: { source: 'auth' } })).event;
    expect(e?.timestamp).toBe(Date.parse('2026-11-18T08:16:05Z'));
    expect(e?.labels.source).toBe('auth');
  });

  it('detects sshd lines', () => {
    expect(sshdParser.detect(P + 'Failed password for root from 1.2.3.4 port 1 ssh2')).toBe(true);
    expect(sshdParser.detect('{"eventType":"LOGIN_FAILURE"}')).toBe(false);
    expect(sshdParser.detect('Nov 18 09:16:05 h CRON[1]: x')).toBe(false);
  });
});

describe('sshd: sample auth.log (testdata/sshd-auth.txt)', () => {
  const lines = readFileSync(new URL('./testdata/sshd-auth.txt', import.meta.url), 'utf8').trimEnd().split('\n');
  const outcomes = lines.map((line) => sshdParser.parse(line, ctx()));

  it('parses or deliberately skips every line', () => {
    expect(outcomes.filter((o) => o.error !== undefined)).toEqual([]);
  });

  it('counts each attempt once: one counted failure per Failed line, PAM/close/max-tries lines are companions', () => {
    const counted = outcomes.filter((o) => o.event?.kind === 'login.failure' && o.event.labels.companion === undefined);
    expect(counted.map((o) => o.event?.sourceIp)).toEqual(['203.0.113.7', '2001:db8::7', '203.0.113.8']);
    const successes = outcomes.filter((o) => o.event?.kind === 'login.success').map((o) => o.event?.username);
    expect(successes).toEqual(['alice', 'bob']);
  });
});
