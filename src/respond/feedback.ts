import type { Decision, Incident, IncidentFeedback } from '../core/detection.js';
import type { AllowlistEntry } from './allowlist.js';
import type { ResponseEngine } from './engine.js';
import type { Suppression } from './suppressions.js';

export interface FeedbackInput {
  verdict: 'true_positive' | 'false_positive';
  /** False positive only: delete the active decisions on the incident's subject. */
  unblock?: boolean;
  /** False positive only: allowlist the incident's IP (or range). */
  allowlist?: boolean;
  /** How long the allowlist entry lasts (default: until removed). */
  allowlistSeconds?: number;
  /** False positive only: suppress the incident's detectors for its subject. */
  suppress?: boolean;
  /** How long the suppression lasts (default: response.suppressions.defaultSeconds). */
  suppressSeconds?: number;
  /** Restrict the suppression to this one detector (default: every detector of the incident). */
  detector?: string;
  note?: string;
}

export interface FeedbackOutcome {
  incident: Incident;
  feedback: IncidentFeedback;
  unblocked: Decision[];
  allowlisted: AllowlistEntry | undefined;
  suppressions: Suppression[];
}

/** Feedback that cannot be applied as asked (a client mistake). */
export class FeedbackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedbackError';
  }
}

/**
 * An analyst's verdict on an incident. A true positive is recorded on the
 * incident; a false positive may also lift its block, allowlist its IP and
 * suppress its detectors for its subject. Validation happens before any
 * change, so a refused request changes nothing. Giving feedback again
 * replaces the verdict (earlier side effects stay until undone by hand).
 */
export function applyFeedback(engine: ResponseEngine, incident: Incident, input: FeedbackInput, now: number, by: string): FeedbackOutcome {
  const falsePositive = input.verdict === 'false_positive';
  const subject = incident.subject;
  if (!falsePositive && (input.unblock === true || input.allowlist === true || input.suppress === true)) {
    throw new FeedbackError('unblock, allowlist and suppress go with a false_positive verdict');
  }
  if (input.allowlist === true && subject.scope !== 'ip') {
    throw new FeedbackError(`incident ${incident.id} is about user ${subject.value}: only IPs can be allowlisted`);
  }
  const detectors = [...new Set(incident.detections.map((d) => d.detector))];
  if (input.detector !== undefined && !detectors.includes(input.detector)) {
    throw new FeedbackError(`detector ${input.detector} raised nothing in incident ${incident.id} (${detectors.join(', ')})`);
  }
  if (input.suppress === true) engine.suppressions.checkDuration(input.suppressSeconds);
  const reason = `false positive (incident ${incident.id})${input.note ? `: ${input.note}` : ''}`;

  const unblocked =
    input.unblock === true
      ? engine.decisions.deleteWhere(subject.scope === 'user' ? { scope: 'user', value: subject.value } : { value: subject.value }, now)
      : [];
  const allowlisted =
    input.allowlist === true
      ? engine.allowlist.add(subject.value, {
          until: input.allowlistSeconds === undefined ? undefined : now + input.allowlistSeconds * 1000,
          reason,
          source: 'feedback',
        })
      : undefined;
  const suppressions =
    input.suppress === true
      ? (input.detector !== undefined ? [input.detector] : detectors).map((detector) =>
          engine.suppressions.add(
            { detector, scope: subject.scope, value: subject.value, durationSeconds: input.suppressSeconds, reason, createdBy: by, incidentId: incident.id },
            now,
          ),
        )
      : [];

  const feedback: IncidentFeedback = {
    verdict: input.verdict,
    by,
    at: now,
    unblocked: unblocked.map((d) => d.id),
    suppressions: suppressions.map((s) => s.id),
  };
  if (input.note !== undefined && input.note !== '') feedback.note = input.note;
  if (allowlisted !== undefined) feedback.allowlisted = allowlisted.value;
  incident.feedback = feedback;
  return { incident, feedback, unblocked, allowlisted, suppressions };
}
