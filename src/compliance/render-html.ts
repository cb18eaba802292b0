import type { ComplianceReport } from './evaluator.js';
import { STATUS_LABEL } from './status-label.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every value from the configuration or the database goes through this. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #d0d7de;padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.pass{color:#116329}.partial{color:#9a6700}.fail{color:#cf222e}.not_applicable{color:#57606a}
.badge{font-weight:700}.score{font-size:1.4rem}ul{margin:0;padding-left:1.1rem}.note{color:#57606a}`;

/** A self-contained page: inline style, no scripts, no external resources. */
export function renderHtml(report: ComplianceReport): string {
  const e = escapeHtml;
  const { summary } = report;
  const rows = report.controls
    .map(
      (c) => `<tr><td class="badge ${c.status}">${STATUS_LABEL[c.status]}</td><td>${e(c.ref)}</td><td><strong>${e(c.title)}</strong><br><span class="note">${e(c.requirement)}</span></td>` +
        `<td><ul>${c.evidence.map((x) => `<li>${e(x)}</li>`).join('')}</ul></td><td>${e(c.remediation ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${e(report.name)} compliance report</title><style>${STYLE}</style></head>
<body>
<h1>${e(report.name)} compliance report</h1>
<p>${e(report.edition)} · generated ${e(report.generatedAt)}</p>
<p class="score">Score <strong>${report.score} %</strong> — <strong class="${report.status === 'COMPLIANT' ? 'pass' : 'fail'}">${report.status}</strong> (threshold ${report.threshold} %)</p>
<p>${summary.pass} pass · ${summary.partial} partial · ${summary.fail} fail · ${summary.notApplicable} not applicable</p>
<p class="note">${e(report.disclaimer)}</p>
<table><thead><tr><th>status</th><th>requirement</th><th>control</th><th>evidence</th><th>remediation</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
