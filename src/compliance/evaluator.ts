import type { ControlStatus, Standard, StandardId } from './control.js';
import type { ComplianceFacts } from './facts.js';

/** At or above this score (%) a report says COMPLIANT. */
export const COMPLIANT_THRESHOLD = 80;

export interface ControlResult {
  id: string;
  ref: string;
  title: string;
  requirement: string;
  status: ControlStatus;
  evidence: string[];
  /** What to do; absent on a pass. */
  remediation: string | undefined;
}

export interface ComplianceReport {
  standard: StandardId;
  name: string;
  edition: string;
  generatedAt: string;
  /** pass = 1, partial = ½, fail = 0, over the applicable controls; 0–100, one decimal. */
  score: number;
  status: 'COMPLIANT' | 'NON_COMPLIANT';
  threshold: number;
  summary: { pass: number; partial: number; fail: number; notApplicable: number };
  controls: ControlResult[];
  /** The scope of the report, stated in every rendering. */
  disclaimer: string;
}

const DISCLAIMER =
  'An automated self-assessment of Vigil\u2019s own configuration and stored data against the listed requirements; it is evidence for an audit, not a certification.';

/** Runs every control of the standard on the facts. A check that throws counts as a failed control, with its error as evidence. */
export function evaluateStandard(standard: Standard, facts: ComplianceFacts): ComplianceReport {
  const controls = standard.controls.map((control): ControlResult => {
    let status: ControlStatus;
    let evidence: string[];
    let remediation: string | undefined;
    try {
      ({ status, evidence, remediation } = control.check(facts));
    } catch (err) {
      status = 'fail';
      evidence = [`the check failed: ${(err as Error).message}`];
      remediation = 'Fix the cause of the error and run the report again.';
    }
    return {
      id: control.id,
      ref: control.ref,
      title: control.title,
      requirement: control.requirement,
      status,
      evidence,
      remediation: status === 'pass' || status === 'not_applicable' ? undefined : remediation,
    };
  });
  const count = (s: ControlStatus) => controls.filter((c) => c.status === s).length;
  const summary = { pass: count('pass'), partial: count('partial'), fail: count('fail'), notApplicable: count('not_applicable') };
  const applicable = summary.pass + summary.partial + summary.fail;
  const score = applicable === 0 ? 100 : Math.round(((summary.pass + summary.partial / 2) / applicable) * 1000) / 10;
  return {
    standard: standard.id,
    name: standard.name,
    edition: standard.edition,
    generatedAt: new Date(facts.now).toISOString(),
    score,
    status: score >= COMPLIANT_THRESHOLD ? 'COMPLIANT' : 'NON_COMPLIANT',
    threshold: COMPLIANT_THRESHOLD,
    summary,
    controls,
    disclaimer: DISCLAIMER,
  };
}
