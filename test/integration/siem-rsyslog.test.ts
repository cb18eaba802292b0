import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSiemConfig } from '../../src/siem/config.js';
import { SiemForwarder } from '../../src/siem/forwarder.js';
import { closedIpv6Detection, hostileDetection, openDetection } from '../../src/siem/test-fixtures.js';

/**
 * A real rsyslog (Debian package `rsyslog`) started on 127.0.0.1 in a temp
 * dir receives RFC 5424 over TCP with octet-counting framing (RFC 6587)
 * from the forwarder; an omfile template writes the fields rsyslog parsed,
 * which the test reads back. Recipe: ../shared/tools/servers.md.
 */
const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));
const MISSING = 'rsyslogd not found: apt-get install rsyslog (the SIEM syslog integration test needs a real rsyslog)';
if (RSYSLOGD === undefined && process.env.CI === 'true') throw new Error(MISSING);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

describe.skipIf(RSYSLOGD === undefined)(RSYSLOGD === undefined ? `rsyslog (skipped: ${MISSING})` : 'rsyslog', () => {
  let dir: string;
  let port: number;
  let rsyslog: ChildProcess;
  let stderr = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-rsyslog-'));
    port = await freePort();
    // One line per message with the fields rsyslog's RFC 5424 parser extracted, separated by "|".
    writeFileSync(
      join(dir, 'rsyslog.conf'),
      [
        `global(workDirectory="${dir}")`,
        'module(load="imtcp")',
        `input(type="imtcp" address="127.0.0.1" port="${port}" supportOctetCountedFraming="on")`,
        'template(name="fields" type="string" string="%pri%|%protocol-version%|%timereported:::date-rfc3339%|%hostname%|%app-name%|%procid%|%msgid%|%structured-data%|%msg%\\n")',
        `*.* action(type="omfile" file="${join(dir, 'out.log')}" template="fields")`,
        '',
      ].join('\n'),
    );
    rsyslog = spawn(RSYSLOGD as string, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
    rsyslog.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitUntil(() => canConnect(port), 10_000, `rsyslogd listening on ${port} (${stderr})`);
  });

  afterAll(async () => {
    if (rsyslog !== undefined && rsyslog.exitCode === null) {
      const exited = new Promise((resolve) => rsyslog.once('exit', resolve));
      rsyslog.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('receives octet-counted RFC 5424 messages with structured data and a CEF body', async () => {
    const config = parseSiemConfig({
      destinations: [
        {
          name: 'rsyslog',
          type: 'cef-syslog',
          host: '127.0.0.1',
          port,
          transport: 'tcp',
          framing: 'octet-counting',
          hostname: 'vigil-test',
          facility: 'local4',
          filter: { minLevel: 'LOW' },
        },
      ],
    });
    const forwarder = new SiemForwarder({ config, spoolDir: join(dir, 'spool'), hostname: 'ignored' });
    forwarder.forward([openDetection, closedIpv6Detection, hostileDetection]);
    await forwarder.flush();
    expect(forwarder.stats()[0]).toMatchObject({ sent: 3, queued: 0 });
    await forwarder.close();

    const out = join(dir, 'out.log');
    await waitUntil(() => existsSync(out) && readFileSync(out, 'utf8').split('\n').length > 3, 10_000, 'rsyslog to write 3 lines');
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const [pri, version, time, host, app, procid, msgid, sd, ...msg] = (lines[0] as string).split('|');
    // local4 (20) * 8 + error (3) for HIGH
    expect([pri, version, host, app, procid, msgid]).toEqual(['163', '1', 'vigil-test', 'vigil', String(process.pid), 'brute_force']);
    expect(Date.parse(time as string)).toBe(Date.UTC(2026, 0, 5, 13, 45, 0, 123));
    expect(sd).toBe('[vigil@32473 kind="detection" id="det-7f3a9c-1:open" level="HIGH" type="brute_force" src="203.0.113.7" user="alice" status="open" detector="brute-force" confidence="0.87" count="42"]');
    expect(msg.join('|')).toMatch(/^CEF:0\|Vigil\|Vigil\|[^|]+\|detection:brute_force\|brute force detected\|8\|rt=1767620700123 act=opened /);
    expect(lines[1]).toContain('|sqli|');
    expect(lines[1]).toContain('c6a2=2001:db8::17');
    // The hostile record arrived whole: rsyslog kept the escaped SD value and the CEF extension to its end.
    expect(lines[2]).toContain('user="ev|l=user\\\\name  \\"quoted\\"\\] tab here');
    expect(lines[2]).toContain('cn1Label=confidence cn1=50');
  });
});
