import { checkStatus, httpPost } from '../../siem/transports/http-client.js';
import type { Alert } from '../alert.js';
import type { SmsChannelConfig } from '../config.js';
import { resolveSecret } from '../secrets.js';
import { jsonEscape, renderMessage, renderTemplate, templateValues } from '../template.js';
import type { AlertChannel, ChannelEnvironment, DeliveryContext } from './channel.js';
import { IDEMPOTENCY_HEADER } from './webhook.js';

/** Short by default: an SMS is the title line only. */
const DEFAULT_SMS_TEXT = '[{{level}}] {{type}} from {{subject}} ({{eventCount}} events) {{url}}';

/**
 * SMS through a provider's HTTP API: one request per recipient, body from
 * `bodyTemplate` (JSON or form encoded), authentication by basic, bearer or
 * a header. Provider-neutral: Twilio, Vonage, MessageBird and most gateways
 * take this shape.
 */
export class SmsChannel implements AlertChannel {
  readonly type = 'sms' as const;
  readonly name: string;
  private readonly authHeaders: Record<string, string> = {};
  private readonly ca: string | undefined;

  constructor(
    private readonly config: SmsChannelConfig,
    private readonly environment: ChannelEnvironment,
  ) {
    this.name = config.name;
    const option = `alerts.channels.${config.name}.auth`;
    const auth = config.auth;
    if (auth.type === 'basic') {
      const password = resolveSecret(auth.password, `${option}.password`, environment.env) ?? '';
      this.authHeaders.Authorization = 'Basic ' + Buffer.from(`${auth.username ?? ''}:${password}`).toString('base64');
    } else if (auth.type === 'bearer' || auth.type === 'header') {
      const token = resolveSecret(auth.token, `${option}.token`, environment.env);
      if (token === undefined) throw new Error(`${option}.token: needed for auth type ${auth.type}`);
      if (auth.type === 'bearer') this.authHeaders.Authorization = `Bearer ${token}`;
      else this.authHeaders[auth.headerName] = token;
    }
    this.ca = config.caFile === undefined ? undefined : environment.readFile(config.caFile);
  }

  /** The message text, cut to maxLength. */
  text(alert: Alert): string {
    const { text } = renderMessage(alert, { title: '', text: DEFAULT_SMS_TEXT }, { text: this.config.template?.text ?? DEFAULT_SMS_TEXT });
    const oneLine = text.replace(/\s+/g, ' ').trim();
    return oneLine.length <= this.config.maxLength ? oneLine : oneLine.slice(0, this.config.maxLength - 1) + '…';
  }

  body(alert: Alert, to: string): string {
    const values = { ...templateValues(alert), to, from: this.config.from, text: this.text(alert) };
    const escape = this.config.contentType === 'json' ? jsonEscape : encodeURIComponent;
    return renderTemplate(this.config.bodyTemplate, values, escape);
  }

  async send(alert: Alert, context: DeliveryContext): Promise<void> {
    const contentType = this.config.contentType === 'json' ? 'application/json; charset=utf-8' : 'application/x-www-form-urlencoded';
    for (const [i, to] of this.config.to.entries()) {
      const answer = await httpPost({
        url: this.config.url,
        method: this.config.method,
        headers: { ...this.authHeaders, 'Content-Type': contentType, [IDEMPOTENCY_HEADER]: `${context.idempotencyKey}.${i}` },
        body: this.body(alert, to),
        timeoutMs: context.timeoutMs,
        signal: context.signal,
        tls: { ca: this.ca, rejectUnauthorized: this.config.rejectUnauthorized },
      });
      checkStatus(answer, `sms ${this.name} to recipient ${i + 1}`);
    }
  }
}
