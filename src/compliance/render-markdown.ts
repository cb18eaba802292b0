import type { ComplianceReport } from './evaluator.js';
import { STATUS_LABEL } from './status-label.js';

/** Text in a Markdown table cell: pipes escaped, line breaks flattened, HTML-significant characters escaped. */
function cell(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

export function renderMarkdown(report: ComplianceReport): string {
  const { summary } = report;
  const lines = [
    `# ${report.name} compliance report`,
    '',
    `- Standard: ${report.name} (${report.edition})`,
    `- Generated: ${report.generatedAt}`,
    `- Score: **${report.score} %** — **${report.status}** (threshold ${report.threshold} %)`,
    `- Controls: ${summary.pass} pass, ${summary.partial} partial, ${summary.fail} fail, ${summary.notApplicable} not applicable`,
    '',
    `> ${cell(report.disclaimer)}`,
    '',
    '| status | requirement | control | evidence |',
    '|---|---|---|---|',
    ...report.controls.map((c) => `| ${STATUS_LABEL[c.status]} | ${cell(c.ref)} | ${cell(c.title)} | ${cell(c.evidence.join('; '))} |`),
  ];
  const todo = report.controls.filter((c) => c.remediation !== undefined);
  if (todo.length > 0) {
    lines.push('', '## Remediation', '');
    for (const c of todo) lines.push(`- **${cell(c.ref)} ${cell(c.title)}** (${STATUS_LABEL[c.status]}): ${cell(c.remediation ?? '')}`);
  }
  return lines.join('\n') + '\n';
}
