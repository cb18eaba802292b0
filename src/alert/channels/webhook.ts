import { createHmac, timingSafeEqual } from 'node:crypto';
import { checkStatus, httpPost } from '../../siem/transports/http-client.js';
import type { Alert } from '../alert.js';
import type { WebhookChannelConfig } from '../config.js';
import { resolveSecret } from '../secrets.js';
import { renderMessage } from '../template.js';
import type { AlertChannel, ChannelEnvironment, DeliveryContext } from './channel.js';

export const SIGNATURE_HEADER = 'X-Vigil-Signature';
export const TIMESTAMP_HEADER = 'X-Vigil-Timestamp';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`: the timestamp is signed too, so a receiver can refuse old replays. */
export function signBody(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** For receivers (and tests): constant-time check of a signature header. */
export function verifySignature(secret: string, timestamp: string, body: string, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(signBody(secret, timestamp, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The JSON body a webhook receives. */
export function webhookBody(alert: Alert, idempotencyKey: string, title: string, text: string): Record<string, unknown> {
  return { version: 1, idempotencyKey, title, text, alert };
}

/** Generic webhook: JSON POST with an HMAC-SHA256 signature and an idempotency key. */
export class WebhookChannel implements AlertChannel {
  readonly type = 'webhook' as const;
  readonly name: string;
  private readonly secret: string | undefined;
  private readonly headers: Record<string, string>;
  private readonly ca: string | undefined;

  constructor(
    private readonly config: WebhookChannelConfig,
    private readonly environment: ChannelEnvironment,
    private readonly now: () => number = Date.now,
  ) {
    this.name = config.name;
    this.secret = resolveSecret(config.secret, `alerts.channels.${config.name}.secret`, environment.env);
    this.headers = Object.fromEntries(
      Object.entries(config.headers).map(([k, v]) => [k, resolveSecret(v, `alerts.channels.${config.name}.headers.${k}`, environment.env) as string]),
    );
    this.ca = config.caFile === undefined ? undefined : environment.readFile(config.caFile);
  }

  async send(alert: Alert, context: DeliveryContext): Promise<void> {
    const { title, text } = renderMessage(alert, this.environment.templates, this.config.template);
    const body = JSON.stringify(webhookBody(alert, context.idempotencyKey, title, text));
    const timestamp = String(Math.floor(this.now() / 1000));
    const headers: Record<string, string> = {
      ...this.headers,
      'Content-Type': 'application/json; charset=utf-8',
      [IDEMPOTENCY_HEADER]: context.idempotencyKey,
      [TIMESTAMP_HEADER]: timestamp,
    };
    if (this.secret !== undefined) headers[SIGNATURE_HEADER] = signBody(this.secret, timestamp, body);
    const answer = await httpPost({
      url: this.config.url,
      headers,
      body,
      timeoutMs: context.timeoutMs,
      signal: context.signal,
      tls: { ca: this.ca, rejectUnauthorized: this.config.rejectUnauthorized },
    });
    checkStatus(answer, `webhook ${this.name}`);
  }
}
