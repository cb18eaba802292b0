import type { ComplianceFacts } from './facts.js';

export type ControlStatus = 'pass' | 'partial' | 'fail' | 'not_applicable';

/** What a check found: a status, the facts it rests on, and what to do when it is not a pass. */
export interface CheckResult {
  status: ControlStatus;
  evidence: string[];
  remediation?: string;
}

export type Check = (facts: ComplianceFacts) => CheckResult;

/** One control of a standard: the requirement it reflects and the check that evaluates it. */
export interface Control {
  /** Unique within the standard (a requirement can have several controls). */
  id: string;
  /** The clause of the standard, e.g. `CC7.2`, `Art. 33`, `10.5.1`, `§164.312(b)`. */
  ref: string;
  title: string;
  /** What the requirement asks, in a sentence. */
  requirement: string;
  check: Check;
}

export const STANDARD_IDS = ['soc2', 'gdpr', 'pci-dss', 'hipaa'] as const;
export type StandardId = (typeof STANDARD_IDS)[number];

export interface Standard {
  id: StandardId;
  name: string;
  /** The edition the references follow. */
  edition: string;
  controls: readonly Control[];
}

export function isStandardId(value: unknown): value is StandardId {
  return typeof value === 'string' && (STANDARD_IDS as readonly string[]).includes(value);
}
