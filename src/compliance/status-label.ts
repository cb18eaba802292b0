import type { ControlStatus } from './control.js';

/** How a control status is written in the Markdown and HTML reports. */
export const STATUS_LABEL: Record<ControlStatus, string> = {
  pass: 'PASS',
  partial: 'PARTIAL',
  fail: 'FAIL',
  not_applicable: 'N/A',
};
