import { basename, extname, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import type { VigilConfig } from '../core/config.js';
import { feedConfigSchema, type FeedConfig } from '../intel/config.js';
import { FEED_FORMATS, FeedFormatError, type FeedFormat } from '../intel/feed-format.js';
import { parseFeedDocument } from '../intel/feed-parser.js';
import { IocManager } from '../intel/ioc-manager.js';
import { IocRepository } from '../intel/ioc-repository.js';
import { isIocType, type IocType } from '../intel/ioc-type.js';
import type { IocInput } from '../intel/ioc.js';
import { parseTimestamp } from '../core/time.js';
import { openStore, type Store } from '../store/index.js';
import { EXIT } from './exit-codes.js';
import { openInput, UsageError } from './input.js';

export interface IocMetaOptions {
  threatType?: string;
  confidence?: string;
  source?: string;
  tags?: string;
  expires?: string;
  ttlDays?: string;
}

export interface IocImportOptions extends IocMetaOptions {
  format?: string;
  delimiter?: string;
  header?: boolean;
  csvValue?: string;
  csvType?: string;
  csvThreatType?: string;
  csvConfidence?: string;
  csvTags?: string;
  jsonItems?: string;
  allAttributes?: boolean;
}

const out = (value: unknown) => process.stdout.write(JSON.stringify(value, null, 2) + '\n');

/** The commands work on the configured store directly; a running service picks changes up within intel.syncIntervalSeconds. */
async function withManager<T>(config: VigilConfig, run: (manager: IocManager, store: Store) => Promise<T>): Promise<T> {
  if (!config.store.enabled) throw new UsageError('the ioc commands keep indicators in the store: enable store (store.enabled)');
  const store = await openStore(config.store, resolve(config.dataDir));
  try {
    const manager = new IocManager(new IocRepository(store.db, store.kind), { now: Date.now });
    return await run(manager, store);
  } finally {
    await store.close();
  }
}

function number(text: string | undefined, name: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name}: expected a number ${min}..${max}, got ${text}`);
  return n;
}

function defaults(options: IocMetaOptions, fallbackSource: string) {
  const ttlDays = number(options.ttlDays, 'ttl-days', 0, 36_500) ?? 0;
  return {
    threatType: options.threatType ?? 'malicious',
    confidence: number(options.confidence, 'confidence', 0, 100) ?? 50,
    source: options.source ?? fallbackSource,
    ttlMs: ttlDays * 86_400_000,
    tags: options.tags === undefined ? [] : options.tags.split(',').map((t) => t.trim()),
  };
}

function expiry(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const at = /^\d+$/.test(text) ? Number(text) : parseTimestamp(text);
  if (Number.isNaN(at)) throw new UsageError(`--expires: expected ISO-8601 or epoch ms, got ${text}`);
  return at;
}

export async function runIocAdd(config: VigilConfig, values: string[], options: IocMetaOptions & { type?: string }): Promise<number> {
  if (options.type !== undefined && !isIocType(options.type)) throw new UsageError(`--type: expected one of ipv4, ipv6, cidr, domain, url, email, md5, sha1, sha256`);
  const expiresAt = expiry(options.expires);
  const inputs: IocInput[] = values.map((value) => ({
    value,
    ...(options.type !== undefined && { type: options.type as IocType }),
    ...(expiresAt !== undefined && { expiresAt }),
  }));
  const report = await withManager(config, async (manager, store) => {
    const result = await manager.import(inputs, defaults(options, 'manual'));
    await store.appendAudit({ actor: 'cli', action: 'ioc.add', target: options.source ?? 'manual', details: { ...result, values: values.slice(0, 20) } });
    return result;
  });
  out(report);
  return report.invalid > 0 ? EXIT.INPUT_ERRORS : EXIT.OK;
}

/** stix / misp / json from the document's shape, csv / text from the extension. */
export function guessFormat(file: string, text: string): FeedFormat {
  const head = text.trimStart();
  if (head.startsWith('{') || head.startsWith('[')) {
    if (/"type"\s*:\s*"bundle"/.test(head.slice(0, 4096)) || /"spec_version"\s*:\s*"2\.1"/.test(head.slice(0, 4096))) return 'stix';
    if (/"(Event|Attribute)"\s*:/.test(head.slice(0, 4096))) return 'misp';
    return 'json';
  }
  const ext = extname(file.replace(/\.gz$/, '')).toLowerCase();
  return ext === '.csv' || ext === '.tsv' ? 'csv' : 'text';
}

export async function runIocImport(config: VigilConfig, file: string, options: IocImportOptions): Promise<number> {
  if (options.format !== undefined && !(FEED_FORMATS as readonly string[]).includes(options.format)) {
    throw new UsageError(`--format: expected one of ${FEED_FORMATS.join(', ')}`);
  }
  let text: string;
  try {
    const { stream } = await openInput(file);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    text = Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    process.stderr.write(`vigil: cannot read ${file}: ${(err as Error).message}\n`);
    return EXIT.FAILURE;
  }
  const format = (options.format as FeedFormat | undefined) ?? guessFormat(file, text);
  const column = (v: string | undefined) => (v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : v);
  const feed: FeedConfig = Value.Default(feedConfigSchema, {
    name: 'cli',
    path: file,
    format,
    csv: {
      delimiter: options.delimiter ?? (extname(file) === '.tsv' ? '\t' : ','),
      header: options.header !== false,
      columns: Object.fromEntries(
        Object.entries({
          value: column(options.csvValue) ?? 0,
          type: column(options.csvType),
          threatType: column(options.csvThreatType),
          confidence: column(options.csvConfidence),
          tags: column(options.csvTags),
        }).filter(([, v]) => v !== undefined),
      ),
    },
    json: { itemsPath: options.jsonItems ?? '' },
    misp: { onlyToIds: options.allAttributes !== true },
  }) as FeedConfig;
  let doc;
  try {
    doc = parseFeedDocument(feed, text);
  } catch (err) {
    if (err instanceof FeedFormatError) {
      process.stderr.write(`vigil: ${file} (${format}): ${err.message}\n`);
      return EXIT.INPUT_ERRORS;
    }
    throw err;
  }
  const source = options.source ?? (file === '-' ? 'import' : basename(file));
  const report = await withManager(config, async (manager, store) => {
    const result = await manager.import(doc.entries, defaults(options, source));
    await store.appendAudit({ actor: 'cli', action: 'ioc.import', target: source, details: { format, ...result } });
    return result;
  });
  out({ format, source, ...report, unsupported: doc.unsupported, ...(doc.notes.length > 0 && { notes: doc.notes }) });
  return report.invalid > 0 ? EXIT.INPUT_ERRORS : EXIT.OK;
}

export async function runIocCheck(config: VigilConfig, values: string[]): Promise<number> {
  const results = await withManager(config, async (manager) => {
    await manager.load();
    return manager.check(values);
  });
  for (const result of results) process.stdout.write(JSON.stringify(result) + '\n');
  return results.some((r) => r.error !== undefined) ? EXIT.INPUT_ERRORS : EXIT.OK;
}

export async function runIocStats(config: VigilConfig): Promise<number> {
  out(await withManager(config, (manager) => manager.statistics()));
  return EXIT.OK;
}

export async function runIocExpire(config: VigilConfig): Promise<number> {
  const expired = await withManager(config, async (manager, store) => {
    const n = await manager.expire();
    await store.appendAudit({ actor: 'cli', action: 'ioc.expire', target: null, details: { expired: n } });
    return n;
  });
  out({ expired });
  return EXIT.OK;
}
