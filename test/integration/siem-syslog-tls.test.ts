import { selfSignedCertificate } from '../helpers/tls.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSiemConfig, type SyslogDestinationConfig } from '../../src/siem/config.js';
import { openDetection } from '../../src/siem/test-fixtures.js';
import { SyslogTransport } from '../../src/siem/transports/syslog.js';

/** A throw-away CA-less certificate for 127.0.0.1, made with the openssl CLI. */
let dir: string;
let cert: string;
let key: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-tls-'));
  selfSignedCertificate(dir);
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  key = readFileSync(join(dir, 'key.pem'), 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function destination(port: number): SyslogDestinationConfig {
  return parseSiemConfig({
    destinations: [{ name: 'tls', type: 'syslog', host: '127.0.0.1', port, transport: 'tls', hostname: 'h', body: 'text', timeoutSeconds: 3 }],
  }).destinations[0] as SyslogDestinationConfig;
}

describe('syslog over TLS (RFC 5425 style, octet counting)', () => {
  it('delivers octet-counted RFC 5424 frames to a TLS listener whose certificate it verifies, and refuses an unknown certificate', async () => {
    let received = '';
    const sockets: TLSSocket[] = [];
    const server = createServer({ cert, key }, (socket) => {
      sockets.push(socket);
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const trusted = new SyslogTransport(destination(port), 'h', { ca: cert });
      await trusted.send([openDetection], new AbortController().signal);
      for (let i = 0; i < 100 && !received.includes('brute_force'); i++) await new Promise((r) => setTimeout(r, 20));
      await trusted.close();
      const space = received.indexOf(' ');
      const length = Number(received.slice(0, space));
      expect(Number.isInteger(length) && length > 0).toBe(true);
      const frame = Buffer.from(received, 'utf8').subarray(space + 1, space + 1 + length).toString('utf8');
      expect(frame).toMatch(/^<\d+>1 \S+ h vigil \d+ brute_force \[vigil@32473 /);

      const untrusted = new SyslogTransport(destination(port), 'h', {});
      await expect(untrusted.send([openDetection], new AbortController().signal)).rejects.toThrow(/certificate/i);
      await untrusted.close();
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
