import type { ThreatLevel } from '../../core/threat-level.js';

/** The attack classes the web classifier distinguishes. */
export type WebAttackClass = 'sqli' | 'xss' | 'traversal' | 'cmdi';

export const WEB_ATTACK_CLASSES: readonly WebAttackClass[] = ['sqli', 'xss', 'traversal', 'cmdi'];

/** Outcome of classifying one value or request. `attack: null` means benign. */
export interface WebVerdict {
  attack: WebAttackClass | null;
  /** 0..1; 0 for a benign verdict. */
  confidence: number;
  /** Stable rule id (`sqli.union-select`, …); empty for a benign verdict. */
  rule: string;
  /** Decoded fragment that matched, at most 200 characters. */
  evidence: string;
}

/** A positive finding (what each class detector returns). */
export interface WebFinding extends WebVerdict {
  attack: WebAttackClass;
}

/** Severity and default confidence per class, used when findings become detections. */
export const WEB_ATTACK_SEVERITY: Readonly<Record<WebAttackClass, { severity: ThreatLevel; confidence: number }>> = {
  sqli: { severity: 'CRITICAL', confidence: 0.9 },
  xss: { severity: 'HIGH', confidence: 0.8 },
  traversal: { severity: 'HIGH', confidence: 0.8 },
  cmdi: { severity: 'CRITICAL', confidence: 0.9 },
};

export const BENIGN: WebVerdict = Object.freeze({ attack: null, confidence: 0, rule: '', evidence: '' }) as WebVerdict;

export const MAX_EVIDENCE = 200;

/** Cut `text` around [start, end) to at most MAX_EVIDENCE characters. */
export function evidenceOf(text: string, start: number, end: number): string {
  const from = Math.max(0, Math.min(start, text.length));
  let to = Math.max(from, Math.min(end, text.length));
  if (to - from > MAX_EVIDENCE) to = from + MAX_EVIDENCE;
  // Widen a short match a little so the evidence is readable.
  const spare = MAX_EVIDENCE - (to - from);
  const left = Math.max(0, from - Math.min(20, Math.floor(spare / 2)));
  const right = Math.min(text.length, to + Math.min(40, spare - (from - left)));
  return text.slice(left, right);
}

export function finding(
  attack: WebAttackClass,
  rule: string,
  confidence: number,
  text: string,
  start: number,
  end: number,
): WebFinding {
  return { attack, rule, confidence, evidence: evidenceOf(text, start, end) };
}
