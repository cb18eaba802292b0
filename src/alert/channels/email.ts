import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { DeliveryError } from '../../siem/errors.js';
import type { Alert } from '../alert.js';
import { subjectText } from '../alert.js';
import type { EmailChannelConfig } from '../config.js';
import { resolveSecret } from '../secrets.js';
import { renderMessage } from '../template.js';
import type { AlertChannel, ChannelEnvironment, DeliveryContext } from './channel.js';

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const LEVEL_COLOUR: Record<Alert['level'], string> = { CRITICAL: '#b00020', HIGH: '#d84315', MEDIUM: '#f9a825', LOW: '#1565c0' };

/** The HTML part: the same facts as the text part, as a small table. */
export function emailHtml(alert: Alert, title: string, text: string): string {
  const rows: [string, string][] = [
    ['Level', alert.level],
    ['Type', alert.type],
    ['Subject', subjectText(alert.subject)],
    ['Confidence', `${Math.round(alert.confidence * 100)}%`],
    ['Events', String(alert.eventCount)],
    ['Started', new Date(alert.startsAt).toISOString()],
  ];
  if (alert.evidence.sourceIps.length > 0) rows.push(['Sources', alert.evidence.sourceIps.join(', ')]);
  if (alert.evidence.usernames.length > 0) rows.push(['Users', alert.evidence.usernames.join(', ')]);
  const link = alert.url === undefined ? '' : `<p><a href="${html(alert.url)}">Open in Vigil</a></p>`;
  return [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2 style="color:${LEVEL_COLOUR[alert.level]}">${html(title)}</h2>`,
    `<p style="white-space:pre-line">${html(text)}</p>`,
    '<table cellpadding="4" style="border-collapse:collapse">',
    ...rows.map(([k, v]) => `<tr><th align="left">${html(k)}</th><td>${html(v)}</td></tr>`),
    '</table>',
    link,
    `<p style="color:#666;font-size:small">Vigil alert ${html(alert.id)} (revision ${alert.revision})</p>`,
    '</body></html>',
  ].join('\n');
}

/** SMTP response codes 5xx are permanent refusals (bad recipient, policy), except 5.7.x auth failures that can be fixed. */
function smtpError(error: Error & { responseCode?: number; code?: string }, name: string): DeliveryError {
  const code = error.responseCode;
  const permanent = code !== undefined && code >= 500 && code < 600 && code !== 535 && code !== 530;
  return new DeliveryError(`email ${name}: ${error.message}`, { retryable: !permanent, unreachable: code === undefined, cause: error });
}

/** E-mail over SMTP with nodemailer: STARTTLS (required) or implicit TLS, AUTH, text + HTML parts. */
export class EmailChannel implements AlertChannel {
  readonly type = 'email' as const;
  readonly name: string;
  private readonly options: SMTPTransport.Options;
  /** nodemailer is loaded on the first message, so commands that send no mail do not pay for it at start. */
  private transport: Transporter | undefined;

  constructor(
    private readonly config: EmailChannelConfig,
    private readonly environment: ChannelEnvironment,
  ) {
    this.name = config.name;
    const password = resolveSecret(config.password, `alerts.channels.${config.name}.password`, environment.env);
    const ca = config.caFile === undefined ? undefined : environment.readFile(config.caFile);
    this.options = {
      host: config.host,
      port: config.port,
      secure: config.security === 'tls',
      requireTLS: config.security === 'starttls',
      ignoreTLS: config.security === 'none',
      auth: config.username === undefined ? undefined : { user: config.username, pass: password ?? '' },
      tls: { rejectUnauthorized: config.rejectUnauthorized, ...(ca === undefined ? {} : { ca }) },
      connectionTimeout: config.timeoutSeconds * 1000,
      greetingTimeout: config.timeoutSeconds * 1000,
      socketTimeout: config.timeoutSeconds * 1000,
    };
  }

  private async connect(): Promise<Transporter> {
    if (this.transport === undefined) {
      const nodemailer = (await import('nodemailer')).default;
      this.transport = nodemailer.createTransport(this.options);
    }
    return this.transport;
  }

  async send(alert: Alert, context: DeliveryContext): Promise<void> {
    const { title, text } = renderMessage(alert, this.environment.templates, this.config.template);
    const body = alert.url === undefined ? text : `${text}\n\n${alert.url}`;
    const transport = await this.connect();
    const sending = transport.sendMail({
      from: this.config.from,
      to: this.config.to,
      subject: title.replace(/[\r\n]+/g, ' '),
      text: body,
      html: emailHtml(alert, title, text),
      messageId: `<${context.idempotencyKey}@vigil>`,
      headers: { 'X-Vigil-Alert': alert.id, 'X-Vigil-Level': alert.level },
    });
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => reject(new DeliveryError(`email ${this.name}: timed out or aborted`, { retryable: true, unreachable: true }));
      if (context.signal.aborted) onAbort();
      else context.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([sending, aborted]);
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      throw smtpError(err as Error, this.name);
    }
  }

  async close(): Promise<void> {
    this.transport?.close();
  }
}
