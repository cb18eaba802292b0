import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSiemConfig, type SyslogDestinationConfig } from '../config.js';
import { DeliveryError } from '../errors.js';
import { openDetection, eventRecord } from '../test-fixtures.js';
import { waitFor } from '../test-receiver.js';
import { SyslogTransport } from './syslog.js';

function config(raw: Record<string, unknown>): SyslogDestinationConfig {
  return parseSiemConfig({ destinations: [{ name: 's', type: 'syslog', host: '127.0.0.1', hostname: 'h', timeoutSeconds: 2, ...raw }] }).destinations[0] as SyslogDestinationConfig;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function tcpServer(): Promise<{ port: number; received: () => string }> {
  let data = '';
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('data', (c: Buffer) => (data += c.toString('utf8')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))));
  return { port: (server.address() as { port: number }).port, received: () => data };
}

/** Parse RFC 6587 octet-counted frames; throws if the stream is not exactly frames. */
function octetFrames(stream: string): string[] {
  const bytes = Buffer.from(stream, 'utf8');
  const out: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    const space = bytes.indexOf(0x20, i);
    const length = Number(bytes.subarray(i, space).toString());
    if (!Number.isInteger(length) || length <= 0) throw new Error(`bad frame at ${i}`);
    out.push(bytes.subarray(space + 1, space + 1 + length).toString('utf8'));
    i = space + 1 + length;
  }
  return out;
}

describe('SyslogTransport', () => {
  it('sends octet-counted frames over TCP', async () => {
    const server = await tcpServer();
    const transport = new SyslogTransport(config({ port: server.port, body: 'text' }), 'h');
    cleanups.push(() => transport.close());
    await transport.send([openDetection, eventRecord], new AbortController().signal);
    await waitFor(() => server.received().length > 0 && octetFrames(server.received()).length === 2, 5000, 'two frames');
    const frames = octetFrames(server.received());
    expect(frames[0]).toMatch(/^<83>1 2026-01-05T13:45:00\.123Z h vigil \d+ brute_force \[vigil@32473 /);
    expect(frames[1]).toMatch(/^<85>1 .* login\.failure from 198\.51\.100\.23/);
  });

  it('uses LF framing when asked (non-transparent)', async () => {
    const server = await tcpServer();
    const transport = new SyslogTransport(config({ port: server.port, framing: 'non-transparent', protocol: 'rfc3164', body: 'text' }), 'h');
    cleanups.push(() => transport.close());
    await transport.send([openDetection], new AbortController().signal);
    await waitFor(() => server.received().endsWith('\n'), 5000, 'a line');
    expect(server.received()).toMatch(/^<83>Jan {2}5 13:45:00 h vigil\[\d+\]: brute_force detected .*\n$/);
  });

  it('sends one datagram per message over UDP', async () => {
    const udp = createSocket('udp4');
    const got: string[] = [];
    udp.on('message', (m) => got.push(m.toString('utf8')));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => udp.close(() => r())));
    const transport = new SyslogTransport(config({ port: udp.address().port, transport: 'udp', body: 'json' }), 'h');
    cleanups.push(() => transport.close());
    await transport.send([openDetection, eventRecord], new AbortController().signal);
    await waitFor(() => got.length === 2, 5000, 'two datagrams');
    expect(JSON.parse((got[0] as string).slice((got[0] as string).indexOf('] ') + 2)).id).toBe('det-7f3a9c-1:open');
  });

  it('reports an unreachable receiver as an outage', async () => {
    const server = await tcpServer();
    const port = server.port;
    await cleanups.pop()?.();
    const transport = new SyslogTransport(config({ port }), 'h');
    const error = await transport.send([openDetection], new AbortController().signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).unreachable).toBe(true);
  });
});
