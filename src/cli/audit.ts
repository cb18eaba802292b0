import type { VigilConfig } from '../core/config.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './input.js';
import { cliActor, withStore } from './store-access.js';

/** `vigil audit verify`: walks the hash chain; exit 5 naming the first bad row. */
export async function runAuditVerify(config: VigilConfig, options: { json?: boolean }): Promise<number> {
  const result = await withStore(config, (store) => store.verifyAuditChain());
  if (options.json === true) process.stdout.write(JSON.stringify(result) + '\n');
  if (result.ok) {
    if (options.json !== true) process.stdout.write(`audit log OK: ${result.checked} entries verified\n`);
    return EXIT.OK;
  }
  const what = result.reason === 'missing' ? 'missing (deleted)' : result.reason === 'broken-link' ? 'does not link to the row before it' : 'modified';
  process.stderr.write(`audit log BROKEN: row ${result.firstBadId} is ${what}; ${result.checked} entries before it verify\n`);
  return EXIT.VERIFY_FAILED;
}

const ACTION = /^[a-z][a-z0-9_.-]{0,127}$/;

/** `vigil audit record`: appends an entry (an access review, a backup made with pg_dump, …). */
export async function runAuditRecord(config: VigilConfig, options: { action: string; actor?: string; target?: string; details?: string }): Promise<number> {
  if (!ACTION.test(options.action)) throw new UsageError(`--action ${JSON.stringify(options.action)}: lower-case words with dots, e.g. access.review`);
  let details: Record<string, unknown> = {};
  if (options.details !== undefined) {
    try {
      const parsed: unknown = JSON.parse(options.details);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      details = parsed as Record<string, unknown>;
    } catch {
      throw new UsageError('--details: expected a JSON object, e.g. \'{"tokens":3}\'');
    }
  }
  const entry = await withStore(config, (store) => store.appendAudit({ actor: cliActor(options.actor), action: options.action, target: options.target ?? null, details }));
  process.stdout.write(JSON.stringify(entry) + '\n');
  return EXIT.OK;
}
