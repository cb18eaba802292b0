import { checkStatus, httpPost } from '../../siem/transports/http-client.js';
import type { Alert } from '../alert.js';
import type { AlertmanagerChannelConfig } from '../config.js';
import { resolveSecret } from '../secrets.js';
import type { AlertChannel, ChannelEnvironment, DeliveryContext } from './channel.js';
import { trimTrailingSlashes } from '../../core/trim-trailing-slashes.js';

/** The Alertmanager v2 postable alert (openapi: postableAlert). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

const LEVEL_SEVERITY: Record<Alert['level'], string> = { CRITICAL: 'critical', HIGH: 'high', MEDIUM: 'medium', LOW: 'low' };

/**
 * One alert in Alertmanager's shape. Labels identify it (same labels = same
 * alert in Alertmanager), so they hold only stable values; the figures that
 * change go into annotations. A firing alert's endsAt lies `validForMs` ahead
 * (it is re-posted before that); a resolved one carries its end time.
 */
export function postableAlert(alert: Alert, now: number, validForMs: number): PostableAlert {
  const labels: Record<string, string> = {
    alertname: 'SecurityAnomaly',
    severity: LEVEL_SEVERITY[alert.level],
    alert_type: alert.type,
    source_ip: alert.subject?.scope === 'ip' ? alert.subject.value : '',
    username: alert.subject?.scope === 'user' ? alert.subject.value : (alert.evidence.usernames.length === 1 ? (alert.evidence.usernames[0] as string) : ''),
    vigil_alert_id: alert.id,
  };
  // Alertmanager treats an empty label as absent; leave them out.
  for (const key of Object.keys(labels)) if (labels[key] === '') delete labels[key];
  const startsAt = Math.min(alert.startsAt, now);
  const endsAt = alert.status === 'resolved' ? Math.max(alert.endsAt ?? now, startsAt) : now + validForMs;
  const out: PostableAlert = {
    labels,
    annotations: {
      summary: alert.summary,
      description: alert.description,
      confidence: alert.confidence.toFixed(2),
      event_count: String(alert.eventCount),
    },
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
  };
  if (alert.url !== undefined) out.generatorURL = alert.url;
  return out;
}

/**
 * Prometheus Alertmanager v2 API: POST /api/v2/alerts with a JSON array.
 * Firing alerts are re-posted every repostIntervalSeconds by the alert
 * manager (as Prometheus does) with endsAt four intervals ahead, so an
 * alert Vigil stops refreshing (crash) resolves on its own; a resolved
 * incident is posted with its endsAt.
 */
export class AlertmanagerChannel implements AlertChannel {
  readonly type = 'alertmanager' as const;
  readonly name: string;
  readonly repostIntervalMs: number;
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly ca: string | undefined;

  constructor(
    private readonly config: AlertmanagerChannelConfig,
    environment: ChannelEnvironment,
    private readonly now: () => number = Date.now,
  ) {
    this.name = config.name;
    this.repostIntervalMs = config.repostIntervalSeconds * 1000;
    this.url = trimTrailingSlashes(config.url) + '/api/v2/alerts';
    this.headers = Object.fromEntries(
      Object.entries(config.headers).map(([k, v]) => [k, resolveSecret(v, `alerts.channels.${config.name}.headers.${k}`, environment.env) as string]),
    );
    this.ca = config.caFile === undefined ? undefined : environment.readFile(config.caFile);
  }

  send(alert: Alert, context: DeliveryContext): Promise<void> {
    return this.post([alert], context);
  }

  /** Posts several alerts in one request (the periodic re-post). */
  async post(alerts: readonly Alert[], context: Omit<DeliveryContext, 'idempotencyKey'>): Promise<void> {
    const now = this.now();
    const body = JSON.stringify(alerts.map((a) => postableAlert(a, now, 4 * this.repostIntervalMs)));
    const answer = await httpPost({
      url: this.url,
      headers: { ...this.headers, 'Content-Type': 'application/json' },
      body,
      timeoutMs: context.timeoutMs,
      signal: context.signal,
      tls: { ca: this.ca, rejectUnauthorized: this.config.rejectUnauthorized },
    });
    checkStatus(answer, `alertmanager ${this.name}`);
  }
}
