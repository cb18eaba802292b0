import { checkStatus, httpPost } from '../../siem/transports/http-client.js';
import type { Alert } from '../alert.js';
import { subjectText } from '../alert.js';
import type { SlackChannelConfig } from '../config.js';
import { resolveSecret } from '../secrets.js';
import { renderMessage } from '../template.js';
import type { AlertChannel, ChannelEnvironment, DeliveryContext } from './channel.js';

const LEVEL_EMOJI: Record<Alert['level'], string> = { CRITICAL: ':rotating_light:', HIGH: ':red_circle:', MEDIUM: ':large_orange_circle:', LOW: ':large_blue_circle:' };

/** Slack caps: header text 150, section text 3000, field text 2000 characters. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** Slack mrkdwn: &, < and > must be escaped. */
function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The Block Kit payload of an incoming webhook: header, facts, evidence, dashboard link. */
export function slackPayload(alert: Alert, title: string, text: string): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(title, 150), emoji: true } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Level*\n${LEVEL_EMOJI[alert.level]} ${alert.level}` },
        { type: 'mrkdwn', text: `*Type*\n${mrkdwn(alert.type)}` },
        { type: 'mrkdwn', text: `*Subject*\n${mrkdwn(subjectText(alert.subject))}` },
        { type: 'mrkdwn', text: `*Confidence*\n${Math.round(alert.confidence * 100)}%` },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: cut(mrkdwn(text), 3000) } },
  ];
  const evidence = [
    alert.evidence.detectors.length > 0 ? `*Detectors:* ${mrkdwn(alert.evidence.detectors.join(', '))}` : undefined,
    alert.evidence.sourceIps.length > 0 ? `*Sources:* ${mrkdwn(alert.evidence.sourceIps.join(', '))}` : undefined,
    alert.evidence.usernames.length > 0 ? `*Users:* ${mrkdwn(alert.evidence.usernames.join(', '))}` : undefined,
    `*Events:* ${alert.eventCount} · *Occurrences:* ${alert.occurrences}`,
  ].filter((line): line is string => line !== undefined);
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(evidence.join('\n'), 3000) } });
  if (alert.url !== undefined) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Vigil' }, url: alert.url, action_id: 'vigil_open' }],
    });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Vigil alert ${mrkdwn(alert.id)} · rev ${alert.revision}${alert.incidentId ? ` · incident ${mrkdwn(alert.incidentId)}` : ''}` }] });
  // `text` is the notification / fallback when blocks cannot be shown.
  return { text: cut(title, 3000), blocks };
}

/** Slack incoming webhook (https://api.slack.com/messaging/webhooks): POST JSON, answer 200 "ok". */
export class SlackChannel implements AlertChannel {
  readonly type = 'slack' as const;
  readonly name: string;
  private readonly url: string;

  constructor(
    private readonly config: SlackChannelConfig,
    private readonly environment: ChannelEnvironment,
  ) {
    this.name = config.name;
    this.url = resolveSecret(config.webhookUrl, `alerts.channels.${config.name}.webhookUrl`, environment.env) as string;
  }

  async send(alert: Alert, context: DeliveryContext): Promise<void> {
    const { title, text } = renderMessage(alert, this.environment.templates, this.config.template);
    const answer = await httpPost({
      url: this.url,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify(slackPayload(alert, title, text)),
      timeoutMs: context.timeoutMs,
      signal: context.signal,
    });
    checkStatus(answer, `slack ${this.name}`);
  }
}
