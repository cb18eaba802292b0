import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { complianceReport, renderReport, type ReportFormat, type StandardId } from '../compliance/index.js';
import type { VigilConfig } from '../core/config.js';
import { openStore, StoreError, type Store } from '../store/index.js';
import { EXIT } from './exit-codes.js';

/**
 * `vigil compliance report`: the configuration and the configured store
 * evaluated; a store that cannot be opened is reported (its controls fail), not fatal.
 */
export async function runComplianceReport(
  config: VigilConfig,
  options: { standard: StandardId; format: ReportFormat; output?: string; strict?: boolean },
): Promise<number> {
  let store: Store | undefined;
  let reason: string | undefined;
  if (config.store.enabled) {
    try {
      store = await openStore(config.store, resolve(config.dataDir));
    } catch (err) {
      reason = err instanceof StoreError ? err.message : (err as Error).message;
    }
  }
  try {
    const report = await complianceReport(options.standard, config, store, Date.now(), reason);
    const text = renderReport(report, options.format);
    if (options.output !== undefined) {
      writeFileSync(options.output, text);
      process.stderr.write(`${report.name}: ${report.score} % ${report.status} — written to ${options.output}\n`);
    } else {
      process.stdout.write(text);
    }
    return options.strict === true && report.status !== 'COMPLIANT' ? EXIT.VERIFY_FAILED : EXIT.OK;
  } finally {
    await store?.close();
  }
}
