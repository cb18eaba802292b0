import { describe, expect, it } from 'vitest';
import type { Standard } from './control.js';
import { evaluateStandard } from './evaluator.js';
import type { ComplianceFacts } from './facts.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import { renderReport } from './render.js';
import { config, NOW } from './test-support.js';

const facts: ComplianceFacts = { now: NOW, config: config(), store: { available: false, reason: 'test' } };
const standard = (statuses: ('pass' | 'partial' | 'fail' | 'not_applicable')[], evidence = 'e'): Standard => ({
  id: 'soc2',
  name: 'Test <b>standard</b>',
  edition: 'x',
  controls: statuses.map((status, i) => ({ id: `c${i}`, ref: `R${i}`, title: `control ${i}`, requirement: 'r', check: () => ({ status, evidence: [evidence], remediation: 'do | this' }) })),
});

describe('evaluateStandard', () => {
  it('scores pass 1, partial ½, fail 0 over the applicable controls; COMPLIANT from 80 %', () => {
    expect(evaluateStandard(standard(['pass', 'pass', 'pass', 'pass', 'fail']), facts)).toMatchObject({ score: 80, status: 'COMPLIANT' });
    expect(evaluateStandard(standard(['pass', 'pass', 'pass', 'partial', 'fail', 'not_applicable']), facts)).toMatchObject({
      score: 70,
      status: 'NON_COMPLIANT',
      summary: { pass: 3, partial: 1, fail: 1, notApplicable: 1 },
    });
  });

  it('counts a check that throws as a failed control with the error as evidence; no remediation on passes', () => {
    const s = standard(['pass']);
    s.controls = [...s.controls, { id: 'boom', ref: 'X', title: 't', requirement: 'r', check: () => { throw new Error('kaput'); } }];
    const r = evaluateStandard(s, facts);
    expect(r.controls[1]).toMatchObject({ status: 'fail', evidence: ['the check failed: kaput'] });
    expect(r.controls[0]?.remediation).toBeUndefined();
  });
});

describe('renderers', () => {
  const hostile = '<script>alert(1)</script> & "x" | y';
  const report = evaluateStandard(standard(['pass', 'fail'], hostile), facts);

  it('HTML escapes every value and is self-contained (no script, no external resource)', () => {
    const html = renderHtml(report);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;');
    expect(html).toContain('Test &lt;b&gt;standard&lt;/b&gt; compliance report');
    expect(html).not.toMatch(/(src|href)=/);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('50 %');
  });

  it('Markdown keeps one table row per control (pipes escaped) and lists remediations', () => {
    const md = renderMarkdown(report);
    const rows = md.split('\n').filter((l) => /^\| (PASS|FAIL) /.test(l));
    expect(rows).toHaveLength(2);
    expect(rows[1]?.split(/(?<!\\)\|/)).toHaveLength(6);
    expect(md).toContain('## Remediation');
    expect(md).toContain('do \\| this');
    expect(md).not.toContain('<script>');
  });

  it('JSON round-trips the report', () => {
    expect(JSON.parse(renderReport(report, 'json'))).toEqual(JSON.parse(JSON.stringify(report)));
  });
});
