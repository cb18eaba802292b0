import type { ComplianceReport } from './evaluator.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';

export const REPORT_FORMATS = ['json', 'md', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

export function renderReport(report: ComplianceReport, format: ReportFormat): string {
  return format === 'json' ? renderJson(report) : format === 'md' ? renderMarkdown(report) : renderHtml(report);
}
