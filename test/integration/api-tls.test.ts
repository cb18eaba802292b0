import { openssl } from '../helpers/tls.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, redactSecrets } from '../../src/core/config.js';
import { loginFailure, startService, type RunningService } from '../helpers/service.js';

const INGEST_TOKEN = 'tls-ingest-token-0123456789';
let dir: string;
const pem = (name: string) => join(dir, name);

/** A test CA, a server certificate for 127.0.0.1 and a client certificate, all made with the openssl CLI. */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-api-tls-'));
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=vigil-test-ca', '-keyout', pem('ca.key'), '-out', pem('ca.pem'));
  writeFileSync(pem('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const who of ['server', 'client']) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=vigil-${who}`, '-keyout', pem(`${who}.key`), '-out', pem(`${who}.csr`));
    openssl(
      'x509', '-req', '-in', pem(`${who}.csr`), '-CA', pem('ca.pem'), '-CAkey', pem('ca.key'), '-CAcreateserial', '-days', '1',
      ...(who === 'server' ? ['-extfile', pem('server.ext')] : []),
      '-out', pem(`${who}.pem`),
    );
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

function post(url: string, body: unknown, options: { token?: string; clientCert?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/v1/events`,
      {
        method: 'POST',
        ca: readFileSync(pem('ca.pem')),
        headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
        ...(options.clientCert ? { cert: readFileSync(pem('client.pem')), key: readFileSync(pem('client.key')) } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('HTTPS for the API (server.tls)', () => {
  let running: RunningService | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  const tlsService = (clientAuth: 'none' | 'required') =>
    startService({
      'server.tls': { enabled: true, cert: pem('server.pem'), key: pem('server.key'), ca: pem('ca.pem'), clientAuth },
      'auth.loopbackWithoutToken': [],
      'auth.tokens': [{ name: 'shipper', token: INGEST_TOKEN, scopes: ['ingest'] }],
    });

  it('ingests over HTTPS with token auth (401 without a token)', async () => {
    running = await tlsService('none');
    const url = running.url.replace('http:', 'https:');
    const noToken = await post(url, [loginFailure('192.0.2.7', 'alice', Date.now())]);
    expect(noToken.status).toBe(401);
    expect((noToken.body.error as { code: string }).code).toBe('VIGIL_E_UNAUTHENTICATED');
    const ok = await post(url, [loginFailure('192.0.2.7', 'alice', Date.now())], { token: INGEST_TOKEN });
    expect(ok.status).toBe(202);
    expect(ok.body.accepted).toBe(1);
    // Plain HTTP to the TLS port gets no API answer.
    await expect(fetch(`${running.url}/healthz`).then((r) => r.status)).rejects.toThrow();
  });

  it('with clientAuth required, refuses clients without a certificate from the CA', async () => {
    running = await tlsService('required');
    const url = running.url.replace('http:', 'https:');
    await expect(post(url, [loginFailure('192.0.2.8', 'bob', Date.now())], { token: INGEST_TOKEN })).rejects.toThrow();
    const ok = await post(url, [loginFailure('192.0.2.8', 'bob', Date.now())], { token: INGEST_TOKEN, clientCert: true });
    expect(ok.status).toBe(202);
  });

  it('config print never shows the key passphrase', () => {
    const { config } = loadConfig({ env: { VIGIL_SERVER_TLS_PASSPHRASE: 'hunter2-passphrase' }, cwd: dir });
    expect(config.server.tls.passphrase).toBe('hunter2-passphrase');
    const printed = JSON.stringify(redactSecrets(config));
    expect(printed).not.toContain('hunter2');
    expect(printed).toContain('"passphrase":"***"');
  });

  it('fails to start with an error naming a missing certificate file', async () => {
    await expect(startService({ 'server.tls': { enabled: true, cert: pem('nope.pem'), key: pem('server.key') } })).rejects.toThrow(
      /server\.tls\.cert: cannot read .*nope\.pem/,
    );
  });
});
