import type { VigilConfig } from '../core/config.js';
import type { Store } from '../store/store.js';
import type { StandardId } from './control.js';
import { evaluateStandard, type ComplianceReport } from './evaluator.js';
import { collectFacts } from './facts.js';
import { STANDARDS } from './standards.js';

/** Gathers the facts from the configuration and the store, then evaluates one standard. */
export async function complianceReport(standard: StandardId, config: VigilConfig, store: Store | undefined, now: number, storeReason?: string): Promise<ComplianceReport> {
  const facts = await collectFacts(config, store, now, storeReason);
  return evaluateStandard(STANDARDS[standard], facts);
}
