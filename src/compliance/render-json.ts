import type { ComplianceReport } from './evaluator.js';

export function renderJson(report: ComplianceReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
