import type { Alert } from './alert.js';
import { subjectText } from './alert.js';
import type { TemplateConfig } from './config.js';

/** Placeholders are {{name}}: a bounded character class, so the pattern cannot backtrack. */
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]{0,31})\s*\}\}/g;

/** The values a template can name, as text. */
export function templateValues(alert: Alert): Record<string, string> {
  return {
    id: alert.id,
    level: alert.level,
    type: alert.type,
    status: alert.status,
    subject: subjectText(alert.subject),
    summary: alert.summary,
    description: alert.description,
    confidence: `${Math.round(alert.confidence * 100)}%`,
    eventCount: String(alert.eventCount),
    occurrences: String(alert.occurrences),
    incidentId: alert.incidentId ?? '',
    url: alert.url ?? '',
    startsAt: new Date(alert.startsAt).toISOString(),
    sourceIps: alert.evidence.sourceIps.join(', '),
    usernames: alert.evidence.usernames.join(', '),
    detectors: alert.evidence.detectors.join(', '),
  };
}

/**
 * Replaces {{name}} by its value; unknown names are left as written so a
 * typo shows in the message. `escape` encodes each value for the target
 * format (JSON string, form field).
 */
export function renderTemplate(template: string, values: Record<string, string>, escape: (value: string) => string = (v) => v): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : escape(value);
  });
}

export interface RenderedMessage {
  title: string;
  text: string;
}

/** Title and body of an alert: the channel's templates over the alerting-wide ones. */
export function renderMessage(alert: Alert, defaults: Required<TemplateConfig>, channel: TemplateConfig | undefined): RenderedMessage {
  const values = templateValues(alert);
  return {
    title: renderTemplate(channel?.title ?? defaults.title, values),
    text: renderTemplate(channel?.text ?? defaults.text, values),
  };
}

/** A JSON string body without its quotes. */
export function jsonEscape(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}
