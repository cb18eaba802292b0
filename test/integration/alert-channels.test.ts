import { selfSignedCertificate } from '../helpers/tls.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alertFromIncident, type Alert } from '../../src/alert/alert.js';
import { createChannels, type AlertChannel } from '../../src/alert/channels/index.js';
import { verifySignature } from '../../src/alert/channels/webhook.js';
import { alertConfigSchema, type AlertConfig } from '../../src/alert/config.js';
import { makeDetection } from '../../src/respond/test-helpers.js';
import { DeliveryError } from '../../src/siem/errors.js';
import { freePort } from '../helpers/servers/common.js';
import { startRecordingServer, type RecordingServer } from '../helpers/servers/recording-http.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function sampleAlert(): Alert {
  const t0 = Date.UTC(2026, 0, 1, 12);
  return alertFromIncident({
    id: 'alert-abc-1',
    incident: {
      id: 'inc-7',
      subject: { scope: 'ip', value: '203.0.113.50' },
      level: 'CRITICAL',
      confidence: 0.93,
      detections: [makeDetection({ type: 'credential_stuffing', detector: 'credential-stuffing', sourceIp: '203.0.113.50', confidence: 0.93, evidence: { eventCount: 42, usernames: ['alice', 'bob'] } })],
      openedAt: t0,
      updatedAt: t0,
      status: 'open',
    },
    type: 'credential_stuffing',
    level: 'CRITICAL',
    reasons: ['42 failures over 12 users <script>'],
    now: t0 + 1000,
    dashboardUrl: 'https://vigil.example.com/',
  });
}

function channels(configs: unknown[], env: NodeJS.ProcessEnv = {}): Record<string, AlertChannel> {
  const config = Value.Default(alertConfigSchema, { channels: configs }) as AlertConfig;
  const built = createChannels(config.channels, config.templates, env);
  cleanup.push(async () => {
    for (const c of built) await c.close?.();
  });
  return Object.fromEntries(built.map((c) => [c.name, c]));
}

function context(key: string) {
  return { idempotencyKey: key, signal: AbortSignal.timeout(10_000), timeoutMs: 10_000 };
}

async function server(): Promise<RecordingServer> {
  const s = await startRecordingServer();
  cleanup.push(() => s.close());
  return s;
}

describe('alert channels against real local servers', () => {
  it('Slack: posts a Block Kit message (header, level/type/subject fields, evidence, dashboard button) to the webhook URL from env', async () => {
    const slack = await server();
    const { ops } = channels([{ name: 'ops', type: 'slack', webhookUrl: 'env:SLACK_URL' }], { SLACK_URL: `${slack.url}/services/T000/B000/XXX` });
    await ops!.send(sampleAlert(), context('alert-abc-1.1.ops'));
    const [request] = await slack.waitFor(1);
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/services/T000/B000/XXX');
    expect(request!.headers['content-type']).toContain('application/json');
    const body = JSON.parse(request!.body) as { text: string; blocks: Record<string, unknown>[] };
    expect(body.text).toBe('[CRITICAL] credential_stuffing from 203.0.113.50');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'actions', 'context']);
    expect(body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '[CRITICAL] credential_stuffing from 203.0.113.50', emoji: true } });
    const fields = (body.blocks[1] as { fields: { type: string; text: string }[] }).fields;
    expect(fields.map((f) => f.text)).toEqual(['*Level*\n:rotating_light: CRITICAL', '*Type*\ncredential_stuffing', '*Subject*\n203.0.113.50', '*Confidence*\n93%']);
    expect(fields.every((f) => f.type === 'mrkdwn')).toBe(true);
    // mrkdwn escaping of the evidence text.
    expect(JSON.stringify(body.blocks[2])).toContain('12 users &lt;script&gt;');
    expect(JSON.stringify(body.blocks[3])).toContain('*Users:* alice, bob');
    expect(body.blocks[4]).toEqual({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Vigil' }, url: 'https://vigil.example.com/api/v1/incidents/inc-7', action_id: 'vigil_open' }],
    });
  });

  it('Slack: a 4xx answer is a permanent failure, a 5xx a retryable one', async () => {
    const slack = await server();
    const { ops } = channels([{ name: 'ops', type: 'slack', webhookUrl: slack.url }]);
    slack.behave({ status: 400, body: 'invalid_blocks' });
    await expect(ops!.send(sampleAlert(), context('k'))).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('invalid_blocks') as string });
    slack.behave({ status: 503 });
    const err = await ops!.send(sampleAlert(), context('k')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).retryable).toBe(true);
  });

  it('webhook: JSON POST with an HMAC-SHA256 signature over timestamp and body, and the idempotency key', async () => {
    const hook = await server();
    const { siem } = channels([{ name: 'siem', type: 'webhook', url: `${hook.url}/hook`, secret: 'env:HOOK_SECRET', headers: { 'X-Tenant': 'blue' } }], { HOOK_SECRET: 'k3y' });
    await siem!.send(sampleAlert(), context('alert-abc-1.1.siem'));
    const [request] = await hook.waitFor(1);
    const timestamp = request!.headers['x-vigil-timestamp'] as string;
    expect(timestamp).toMatch(/^\d{10}$/);
    expect(verifySignature('k3y', timestamp, request!.body, request!.headers['x-vigil-signature'] as string)).toBe(true);
    expect(verifySignature('wrong', timestamp, request!.body, request!.headers['x-vigil-signature'] as string)).toBe(false);
    expect(verifySignature('k3y', timestamp, request!.body + ' ', request!.headers['x-vigil-signature'] as string)).toBe(false);
    expect(request!.headers['idempotency-key']).toBe('alert-abc-1.1.siem');
    expect(request!.headers['x-tenant']).toBe('blue');
    const body = JSON.parse(request!.body) as { version: number; idempotencyKey: string; alert: Alert; title: string };
    expect(body).toMatchObject({ version: 1, idempotencyKey: 'alert-abc-1.1.siem', title: '[CRITICAL] credential_stuffing from 203.0.113.50' });
    expect(body.alert).toMatchObject({ id: 'alert-abc-1', level: 'CRITICAL', type: 'credential_stuffing', eventCount: 42 });
  });

  it('SMS: provider-shaped form POST with basic auth, one request per recipient, text cut to maxLength', async () => {
    const provider = await server();
    const { pager } = channels([
      {
        name: 'pager',
        type: 'sms',
        url: `${provider.url}/2010-04-01/Accounts/AC1/Messages.json`,
        auth: { type: 'basic', username: 'AC1', password: 'env:SMS_TOKEN' },
        contentType: 'form',
        bodyTemplate: 'To={{to}}&From={{from}}&Body={{text}}',
        from: '+15550000000',
        to: ['+15551111111', '+15552222222'],
        maxLength: 40,
      },
    ], { SMS_TOKEN: 'tok' });
    await pager!.send(sampleAlert(), context('alert-abc-1.1.pager'));
    const requests = await provider.waitFor(2);
    expect(requests[0]!.headers.authorization).toBe('Basic ' + Buffer.from('AC1:tok').toString('base64'));
    expect(requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const forms = requests.map((r) => Object.fromEntries(new URLSearchParams(r.body)));
    expect(forms.map((f) => f.To)).toEqual(['+15551111111', '+15552222222']);
    expect(forms[0]!.From).toBe('+15550000000');
    expect(forms[0]!.Body).toBe('[CRITICAL] credential_stuffing from 203…');
    expect(forms[0]!.Body).toHaveLength(40);
    expect(requests.map((r) => r.headers['idempotency-key'])).toEqual(['alert-abc-1.1.pager.0', 'alert-abc-1.1.pager.1']);
  });

  it('SMS: JSON body template with a bearer token; a missing env secret is a clear configuration error', async () => {
    const provider = await server();
    const { sms } = channels([{ name: 'sms', type: 'sms', url: provider.url, auth: { type: 'bearer', token: 't0k' }, to: ['+4915100000'] }]);
    await sms!.send(sampleAlert(), context('k'));
    const [request] = await provider.waitFor(1);
    expect(request!.headers.authorization).toBe('Bearer t0k');
    expect(JSON.parse(request!.body)).toEqual({ to: '+4915100000', from: '', text: '[CRITICAL] credential_stuffing from 203.0.113.50 (42 events) https://vigil.example.com/api/v1/incidents/inc-7' });
    expect(() => channels([{ name: 'x', type: 'sms', url: provider.url, auth: { type: 'bearer', token: 'env:NOPE' }, to: ['1'] }])).toThrow('alerts.channels.x.auth.token: environment variable NOPE is not set');
  });
});

describe('e-mail channel against a real SMTP server (smtp-server, STARTTLS, AUTH)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-smtp-'));
    selfSignedCertificate(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function smtp(options: { secure?: boolean } = {}) {
    const received: { raw: Buffer; user: string | undefined; secure: boolean; from: string; to: string[] }[] = [];
    const server = new SMTPServer({
      secure: options.secure ?? false,
      key: readFileSync(join(dir, 'key.pem')),
      cert: readFileSync(join(dir, 'cert.pem')),
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth(auth, _session, callback) {
        if (auth.username === 'vigil' && auth.password === 'mail-pass') callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            raw: Buffer.concat(chunks),
            user: session.user as string | undefined,
            secure: session.secure,
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
          });
          callback();
        });
      },
      logger: false,
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { port, received };
  }

  it('STARTTLS + AUTH: the message arrives with subject, text and HTML parts', async () => {
    const { port, received } = await smtp();
    const { mail } = channels(
      [{ name: 'mail', type: 'email', host: '127.0.0.1', port, security: 'starttls', username: 'vigil', password: 'env:SMTP_PASSWORD', from: 'Vigil <vigil@example.com>', to: ['soc@example.com', 'oncall@example.com'], caFile: join(dir, 'cert.pem') }],
      { SMTP_PASSWORD: 'mail-pass' },
    );
    await mail!.send(sampleAlert(), context('alert-abc-1.1.mail'));
    expect(received).toHaveLength(1);
    const message = received[0]!;
    expect(message.user).toBe('vigil');
    expect(message.secure).toBe(true);
    expect(message.from).toBe('vigil@example.com');
    expect(message.to).toEqual(['soc@example.com', 'oncall@example.com']);
    const parsed = await simpleParser(message.raw);
    expect(parsed.subject).toBe('[CRITICAL] credential_stuffing from 203.0.113.50');
    expect(parsed.messageId).toBe('<alert-abc-1.1.mail@vigil>');
    expect(parsed.text).toContain('CRITICAL credential stuffing from 203.0.113.50');
    expect(parsed.text).toContain('Level: CRITICAL · confidence 93% · 42 events');
    expect(parsed.text).toContain('https://vigil.example.com/api/v1/incidents/inc-7');
    expect(parsed.html).toContain('<th align="left">Subject</th><td>203.0.113.50</td>');
    expect(parsed.html).toContain('12 users &lt;script&gt;');
    expect(parsed.html).toContain('<a href="https://vigil.example.com/api/v1/incidents/inc-7">Open in Vigil</a>');
    expect(parsed.headers.get('x-vigil-level')).toBe('CRITICAL');
  });

  it('implicit TLS works; a wrong password and an untrusted certificate fail with clear errors', async () => {
    const tls = await smtp({ secure: true });
    const good = channels([{ name: 'tls', type: 'email', host: '127.0.0.1', port: tls.port, security: 'tls', username: 'vigil', password: 'mail-pass', from: 'v@example.com', to: ['a@example.com'], caFile: join(dir, 'cert.pem') }]);
    await good.tls!.send(sampleAlert(), context('k1'));
    expect(tls.received).toHaveLength(1);
    expect(tls.received[0]!.secure).toBe(true);

    const plain = await smtp();
    const bad = channels([
      { name: 'badpass', type: 'email', host: '127.0.0.1', port: plain.port, username: 'vigil', password: 'nope', from: 'v@example.com', to: ['a@example.com'], caFile: join(dir, 'cert.pem') },
      { name: 'untrusted', type: 'email', host: '127.0.0.1', port: plain.port, username: 'vigil', password: 'mail-pass', from: 'v@example.com', to: ['a@example.com'] },
    ]);
    await expect(bad.badpass!.send(sampleAlert(), context('k2'))).rejects.toThrow(/email badpass: .*Invalid username or password/);
    await expect(bad.untrusted!.send(sampleAlert(), context('k3'))).rejects.toThrow(/email untrusted: .*certificate/);
    expect(plain.received).toHaveLength(0);
  });
});
