import type * as alerts from './alerts.js';
import type * as audit from './audit.js';
import type * as backup from './backup.js';
import type * as compliance from './compliance.js';
import type * as eventsQuery from './events-query.js';
import type * as heal from './heal.js';
import type * as ioc from './ioc.js';
import type * as kafkaInit from './kafka-init.js';

/**
 * The commands that need the store, Kubernetes, Kafka or the alert channels,
 * loaded when one of them runs: `vigil replay`, `vigil parse` and `--help`
 * start without compiling the store drivers, Kysely, the Kubernetes client, …
 * (about half the modules of the program). Same signatures as the originals.
 */
type Run<F extends (...args: never[]) => Promise<number>> = (...args: Parameters<F>) => Promise<number>;

export const runAlertsTest: Run<typeof alerts.runAlertsTest> = async (...args) => (await import('./alerts.js')).runAlertsTest(...args);
export const runAuditVerify: Run<typeof audit.runAuditVerify> = async (...args) => (await import('./audit.js')).runAuditVerify(...args);
export const runAuditRecord: Run<typeof audit.runAuditRecord> = async (...args) => (await import('./audit.js')).runAuditRecord(...args);
export const runBackup: Run<typeof backup.runBackup> = async (...args) => (await import('./backup.js')).runBackup(...args);
export const runRestore: Run<typeof backup.runRestore> = async (...args) => (await import('./backup.js')).runRestore(...args);
export const runComplianceReport: Run<typeof compliance.runComplianceReport> = async (...args) =>
  (await import('./compliance.js')).runComplianceReport(...args);
export const runEventsQuery: Run<typeof eventsQuery.runEventsQuery> = async (...args) =>
  (await import('./events-query.js')).runEventsQuery(...args);
export const runHeal: Run<typeof heal.runHeal> = async (...args) => (await import('./heal.js')).runHeal(...args);
export const runIocAdd: Run<typeof ioc.runIocAdd> = async (...args) => (await import('./ioc.js')).runIocAdd(...args);
export const runIocImport: Run<typeof ioc.runIocImport> = async (...args) => (await import('./ioc.js')).runIocImport(...args);
export const runIocCheck: Run<typeof ioc.runIocCheck> = async (...args) => (await import('./ioc.js')).runIocCheck(...args);
export const runIocStats: Run<typeof ioc.runIocStats> = async (...args) => (await import('./ioc.js')).runIocStats(...args);
export const runIocExpire: Run<typeof ioc.runIocExpire> = async (...args) => (await import('./ioc.js')).runIocExpire(...args);
export const runKafkaInit: Run<typeof kafkaInit.runKafkaInit> = async (...args) => (await import('./kafka-init.js')).runKafkaInit(...args);
