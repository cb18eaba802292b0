import { Command, CommanderError, Option } from 'commander';
import { stringify } from 'yaml';
import { ConfigError, loadConfig, redactSecrets, type LoadedConfig } from '../core/config.js';
import { VERSION } from '../core/version.js';
import { PARSER_NAMES } from '../parsers/index.js';
import { ApiCallError, apiTarget, callApi } from './api-client.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './input.js';
import { runModelScore, runModelTrain, type ModelCliOptions } from './model.js';
import { runParse } from './parse.js';
import { runUntilSignal } from './run-until-signal.js';
import { configReference } from './config-reference.js';
import { runReplay } from './replay.js';
import { runScan } from './scan.js';
import type { HealCliOptions } from './heal.js';
import type { KafkaInitOptions } from './kafka-init.js';
import type { ScanInput } from '../detect/web/scan.js';
import { AlertConfigError } from '../alert/secrets.js';
import type { IocImportOptions, IocMetaOptions } from './ioc.js';
import { STANDARD_IDS, type StandardId } from '../compliance/control.js';
import { REPORT_FORMATS, type ReportFormat } from '../compliance/render.js';
import type { EventsQueryOptions } from './events-query.js';
import { StoreCommandError } from './store-command-error.js';
// Commands that load the store, Kubernetes or Kafka clients are imported when they run.
import {
  runAlertsTest,
  runAuditRecord,
  runAuditVerify,
  runBackup,
  runComplianceReport,
  runEventsQuery,
  runHeal,
  runIocAdd,
  runIocCheck,
  runIocExpire,
  runIocImport,
  runIocStats,
  runKafkaInit,
  runRestore,
} from './lazy-commands.js';

interface GlobalOptions {
  config?: string;
}

function load(options: GlobalOptions, overrides?: Record<string, unknown>): LoadedConfig {
  const loaded = loadConfig({ path: options.config, overrides });
  for (const warning of loaded.warnings) process.stderr.write(`vigil: warning: ${warning}\n`);
  return loaded;
}

async function run(options: GlobalOptions & { host?: string; port?: string; source?: string[]; input?: string }): Promise<number> {
  const overrides: Record<string, unknown> = {};
  if (options.host !== undefined) overrides['server.host'] = options.host;
  if (options.port !== undefined) overrides['server.port'] = Number(options.port);
  const { config, file } = load(options, overrides);
  for (const source of options.source ?? []) {
    if (source !== 'stdin') throw new UsageError(`--source ${source}: only stdin can be given on the command line; configure others in vigil.yaml`);
    config.sources.push({ type: 'stdin', input: options.input ?? 'auto' });
  }
  const { createLogger } = await import('../core/logger.js');
  const logger = createLogger(config.log.level);
  if (file !== undefined) logger.info({ file }, 'configuration loaded');
  const { VigilService } = await import('../service.js');
  const service = new VigilService({ config, logger });
  try {
    await service.start();
  } catch (err) {
    logger.error({ err }, 'could not start');
    await service.stop().catch(() => undefined);
    logger.flush();
    return EXIT.FAILURE;
  }
  return runUntilSignal(logger, { message: 'stopping: draining accepted events', error: 'error while stopping' }, () => service.stop());
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('vigil')
    .description('Real-time security monitoring and automated response.')
    .version(VERSION, '-V, --version')
    .option('-c, --config <file>', 'configuration file (default: $VIGIL_CONFIG, else ./vigil.yaml if present)')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('run')
    .description('run the service (HTTP ingestion, detection, API)')
    .option('--host <address>', 'listen address (overrides server.host)')
    .option('--port <port>', 'listen port (overrides server.port)')
    .option('--source <type...>', 'add a source: stdin (others are configured in vigil.yaml)')
    .option('--input <format>', 'parser for --source stdin (default auto)')
    .action(async (options: { host?: string; port?: string; source?: string[]; input?: string }) => {
      process.exitCode = await run({ ...program.opts<GlobalOptions>(), ...options });
    });

  program
    .command('replay')
    .description('run a log or event file through the detectors in event time and print the detections')
    .argument('<file>', "file to read ('-' for stdin; gzip is detected)")
    .addOption(new Option('--input <format>', 'input format').choices([...PARSER_NAMES, 'auto']).default('auto'))
    .addOption(new Option('--output <format>', 'ndjson (default when stdout is not a TTY) or table').choices(['ndjson', 'table']))
    .option('--time-zone <zone>', 'IANA zone for time stamps without one (default UTC)')
    .option('-q, --quiet', 'no progress, no summary, no per-line errors')
    .action(async (file: string, options: { input?: string; output?: 'ndjson' | 'table'; timeZone?: string; quiet?: boolean }) => {
      const { config } = load(program.opts<GlobalOptions>());
      process.exitCode = await runReplay(file, config, options);
    });

  program
    .command('parse')
    .description('parse a log file and print one JSON object per line: the event, the error, or skipped')
    .argument('<file>', "file to read ('-' for stdin; gzip is detected)")
    .addOption(new Option('--input <format>', 'input format').choices([...PARSER_NAMES, 'auto']).default('auto'))
    .option('--time-zone <zone>', 'IANA zone for time stamps without one (default UTC)')
    .action(async (file: string, options: { input?: string; timeZone?: string }) => {
      process.exitCode = await runParse(file, options);
    });

  program
    .command('scan')
    .description('classify each line as a web attack (sqli, xss, traversal, cmdi) or benign; one JSON verdict per line')
    .argument('<file>', "file to read ('-' for stdin; gzip is detected)")
    .addOption(new Option('--input <format>', 'raw parameter values, or access-log lines').choices(['raw', 'nginx', 'apache']).default('raw'))
    .option('--rules <file>', 'custom rules (JSON or YAML) merged with the built-ins')
    .action(async (file: string, options: { input: ScanInput; rules?: string }) => {
      process.exitCode = await runScan(file, options);
    });

  program
    .command('heal')
    .description('run the Kubernetes self-healing controller (config section heal); --once plans, prints and exits')
    .option('--kubeconfig <file>', 'kubeconfig (default: heal.kubeconfig, else in-cluster, else $KUBECONFIG or ~/.kube/config)')
    .option('--dry-run', 'plan and record actions without changing the cluster')
    .option('--once', 'list the cluster once, print the planned actions and exit (changes nothing)')
    .option('--json', 'with --once: print the plan as JSON')
    .action(async (options: HealCliOptions) => {
      process.exitCode = await runHeal(load(program.opts<GlobalOptions>()).config, options);
    });

  const model = program.command('model').description('the isolation-forest anomaly model for logins');
  model
    .command('train')
    .description('train on the successful logins of the last days of a file; writes the model to the data dir')
    .argument('<file>', "events or logs ('-' for stdin)")
    .addOption(new Option('--input <format>', 'input format').choices([...PARSER_NAMES, 'auto']).default('auto'))
    .option('--model <path>', 'where to write (default: detectors.anomalousLogin.modelPath, else <dataDir>/anomaly-model.json)')
    .option('--days <n>', 'days of history before the newest event', '7')
    .option('--seed <n>', 'random seed (deterministic)', '42')
    .option('--contamination <fraction>', 'expected share of anomalies in training', '0.1')
    .action(async (file: string, options: ModelCliOptions) => {
      process.exitCode = await runModelTrain(file, load(program.opts<GlobalOptions>()).config, options);
    });
  model
    .command('score')
    .description('score each login of a file: JSON lines with score, decision (scikit-learn scale) and anomalous')
    .argument('<file>', "events or logs ('-' for stdin)")
    .addOption(new Option('--input <format>', 'input format').choices([...PARSER_NAMES, 'auto']).default('auto'))
    .option('--model <path>', 'model file (default as for train)')
    .option('--threshold <value>', 'anomalous when decision < threshold (default: detectors.anomalousLogin.threshold)')
    .action(async (file: string, options: ModelCliOptions) => {
      process.exitCode = await runModelScore(file, load(program.opts<GlobalOptions>()).config, options);
    });

  const api = (options: { url?: string; token?: string }) => apiTarget(load(program.opts<GlobalOptions>()).config, options);
  const withApi = (command: Command) =>
    command.option('--url <url>', 'the running service (default: from server.host/port)').option('--token <token>', 'API token (default: $VIGIL_TOKEN)');
  const print = (value: unknown) => process.stdout.write((typeof value === 'string' ? value : JSON.stringify(value, null, 2)) + '\n');

  const decisions = program.command('decisions').description('list, add, delete or export decisions of the running service');
  withApi(decisions.command('list').description('active decisions (JSON)'))
    .option('--ip <ip>', 'only what applies to this address')
    .action(async (options: { url?: string; token?: string; ip?: string }) => {
      print(await callApi(api(options), 'GET', `/api/v1/decisions${options.ip ? `?ip=${encodeURIComponent(options.ip)}` : ''}`));
    });
  withApi(decisions.command('add').description('block an IP, CIDR or user by hand (admin)'))
    .argument('<value>', 'IP, CIDR or user name')
    .option('--duration <seconds>', 'how long', '3600')
    .option('--reason <text>', 'why', 'manual')
    .option('--scope <scope>', 'ip, range or user (default: from the value)')
    .action(async (value: string, options: { url?: string; token?: string; duration: string; reason: string; scope?: string }) => {
      print(await callApi(api(options), 'POST', '/api/v1/decisions', { value, durationSeconds: Number(options.duration), reason: options.reason, scope: options.scope }));
    });
  withApi(decisions.command('delete').description('delete a decision by id (admin)'))
    .argument('<id>')
    .action(async (id: string, options: { url?: string; token?: string }) => {
      print(await callApi(api(options), 'DELETE', `/api/v1/decisions/${encodeURIComponent(id)}`));
    });
  withApi(decisions.command('export').description('active blocks for a firewall or web server'))
    .addOption(new Option('--format <format>', 'output').choices(['nftables', 'ipset', 'nginx']).default('nftables'))
    .action(async (options: { url?: string; token?: string; format: string }) => {
      print(await callApi(api(options), 'GET', `/api/v1/decisions/export?format=${options.format}`));
    });

  const allowlist = program.command('allowlist').description('list, add or remove allowlist entries of the running service');
  withApi(allowlist.command('list').description('entries (JSON)')).action(async (options: { url?: string; token?: string }) => {
    print(await callApi(api(options), 'GET', '/api/v1/allowlist'));
  });
  withApi(allowlist.command('add').description('never block this IP or CIDR (admin)'))
    .argument('<value>', 'IP or CIDR')
    .option('--until <time>', 'ISO-8601 expiry')
    .option('--reason <text>', 'why')
    .action(async (value: string, options: { url?: string; token?: string; until?: string; reason?: string }) => {
      print(await callApi(api(options), 'POST', '/api/v1/allowlist', { value, until: options.until, reason: options.reason }));
    });
  withApi(allowlist.command('remove').description('remove an entry (admin)'))
    .argument('<value>')
    .action(async (value: string, options: { url?: string; token?: string }) => {
      print(await callApi(api(options), 'DELETE', `/api/v1/allowlist/${encodeURIComponent(value)}`));
    });

  const alerts = program.command('alerts').description('alert channels');
  alerts
    .command('test')
    .description('send a test alert through a configured channel; exit 1 with the reason when it fails')
    .argument('<channel>', 'channel name (alerts.channels[].name)')
    .action(async (channel: string) => {
      process.exitCode = await runAlertsTest(load(program.opts<GlobalOptions>()).config, channel);
    });

  const ioc = program.command('ioc').description('indicators of compromise in the store: add, import, check, stats, expire');
  const meta = (command: Command) =>
    command
      .option('--threat-type <type>', 'threat type of entries that name none', 'malicious')
      .option('--confidence <0-100>', 'confidence of entries that give none', '50')
      .option('--source <name>', 'source recorded with the entries')
      .option('--tags <a,b>', 'tags added to every entry')
      .option('--ttl-days <n>', 'entries without their own expiry expire after this many days (0: never)', '0');
  meta(ioc.command('add').description('add or refresh indicators (upsert: the higher confidence wins)'))
    .argument('<value...>', 'IPs, CIDRs, domains, URLs, emails, MD5/SHA-1/SHA-256 hashes')
    .option('--type <type>', 'the type (default: detected from each value)')
    .option('--expires <time>', 'ISO-8601 or epoch ms')
    .action(async (values: string[], options: IocMetaOptions & { type?: string }) => {
      process.exitCode = await runIocAdd(load(program.opts<GlobalOptions>()).config, values, options);
    });
  meta(ioc.command('import').description('import a feed file: text, csv, json, stix (2.1 bundle) or misp (events)'))
    .argument('<file>', "file to read ('-' for stdin; gzip is detected)")
    .option('--format <format>', 'text, csv, json, stix or misp (default: from the content and extension)')
    .option('--delimiter <char>', 'CSV delimiter (default , or tab for .tsv)')
    .option('--no-header', 'CSV: the first row is data')
    .option('--csv-value <column>', 'CSV column of the value: header name or 0-based index', '0')
    .option('--csv-type <column>', 'CSV column of the type')
    .option('--csv-threat-type <column>', 'CSV column of the threat type')
    .option('--csv-confidence <column>', 'CSV column of the confidence')
    .option('--csv-tags <column>', 'CSV column of the tags')
    .option('--json-items <path>', 'JSON: dot path to the array of records')
    .option('--all-attributes', 'MISP: also attributes without to_ids')
    .action(async (file: string, options: IocImportOptions) => {
      process.exitCode = await runIocImport(load(program.opts<GlobalOptions>()).config, file, options);
    });
  ioc
    .command('check')
    .description('look values up as events are matched; one JSON line per value')
    .argument('<value...>')
    .action(async (values: string[]) => {
      process.exitCode = await runIocCheck(load(program.opts<GlobalOptions>()).config, values);
    });
  ioc
    .command('stats')
    .description('counts by type, threat type and source, and recent additions (JSON)')
    .action(async () => {
      process.exitCode = await runIocStats(load(program.opts<GlobalOptions>()).config);
    });
  ioc
    .command('expire')
    .description('delete expired indicators now')
    .action(async () => {
      process.exitCode = await runIocExpire(load(program.opts<GlobalOptions>()).config);
    });

  const kafka = program.command('kafka').description('Kafka topics for the security event and alert streams');
  kafka
    .command('init')
    .description('create the security topics (6 partitions, compression.type=lz4, 7 days retention) via the admin API')
    .option('--brokers <list>', 'comma-separated host:port (default: the first kafka source, else sinks.kafka)')
    .option('--topic <name...>', 'topics to create (default: the kafka sources\' topics, security-events-by-user and sinks.kafka.topic)')
    .option('--partitions <n>', 'partitions per topic (default 6)')
    .option('--replication-factor <n>', 'replicas per partition (default: the broker default)')
    .option('--retention-hours <n>', 'retention (default 168 = 7 days)')
    .action(async (options: KafkaInitOptions & { topic?: string[] }) => {
      const { config } = load(program.opts<GlobalOptions>());
      process.exitCode = await runKafkaInit(config, { ...options, topics: options.topic });
    });

  const configCommand = program.command('config').description('check or print the configuration');
  configCommand
    .command('check')
    .description('validate the configuration (file + VIGIL_* environment); exit 0 when valid')
    .action(() => {
      const { file, envApplied } = load(program.opts<GlobalOptions>());
      process.stdout.write(
        `configuration is valid (${file ?? 'no file, defaults'}${envApplied.length ? `; env: ${envApplied.join(', ')}` : ''})\n`,
      );
    });
  configCommand
    .command('reference')
    .description('every option with its type, default and meaning, as a Markdown table')
    .action(() => {
      process.stdout.write(configReference());
    });
  configCommand
    .command('print')
    .description('print the effective configuration with secrets redacted')
    .addOption(new Option('--format <format>', 'yaml or json').choices(['yaml', 'json']).default('yaml'))
    .action((options: { format: 'yaml' | 'json' }) => {
      const { config } = load(program.opts<GlobalOptions>());
      const redacted = redactSecrets(config);
      process.stdout.write(options.format === 'json' ? JSON.stringify(redacted, null, 2) + '\n' : stringify(redacted));
    });
  registerStoreCommands(program);
  return program;
}

/** backup, restore, events query, audit verify/record, compliance report: against the configured store. */
function registerStoreCommands(program: Command): void {
  const config = () => load(program.opts<GlobalOptions>()).config;
  program
    .command('backup')
    .description('online backup of the SQLite store to <file> (the service may keep running); recorded in the audit log')
    .argument('<file>', 'backup file to write')
    .option('--force', 'overwrite an existing file')
    .option('--actor <name>', 'who, for the audit log (default cli:$USER)')
    .action(async (file: string, options: { force?: boolean; actor?: string }) => {
      process.exitCode = await runBackup(file, config(), options);
    });
  program
    .command('restore')
    .description('replace the SQLite store with a checked backup (refuses while the database is open elsewhere)')
    .argument('<file>', 'backup file made by vigil backup')
    .option('--force', 'restore even though the database seems to be in use')
    .action(async (file: string, options: { force?: boolean }) => {
      process.exitCode = await runRestore(file, config(), options);
    });
  const events = program.command('events').description('stored events');
  events
    .command('query')
    .description('stored events, newest first, from the configured store')
    .option('--since <time>', 'ISO-8601, epoch ms, or an age (15m, 24h, 7d)')
    .option('--until <time>', 'exclusive end, same forms')
    .option('--ip <ip>', 'source IP')
    .option('--user <name>', 'user name')
    .option('--type <type>', 'kind (login.failure) or violation type (SQL_INJECTION)')
    .option('--level <level>', 'LOW, MEDIUM, HIGH or CRITICAL (labelled events)')
    .option('--limit <n>', 'most events to print', '100')
    .addOption(new Option('--format <format>', 'output').choices(['table', 'ndjson', 'csv']).default('table'))
    .action(async (options: EventsQueryOptions) => {
      process.exitCode = await runEventsQuery(config(), options);
    });
  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description('walk the hash chain; exit 5 naming the first modified or deleted row')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      process.exitCode = await runAuditVerify(config(), options);
    });
  audit
    .command('record')
    .description('append an entry: an access review (access.review), a pg_dump backup (store.backup), …')
    .requiredOption('--action <action>', 'e.g. access.review')
    .option('--actor <name>', 'who (default cli:$USER)')
    .option('--target <target>', 'on what')
    .option('--details <json>', 'a JSON object')
    .action(async (options: { action: string; actor?: string; target?: string; details?: string }) => {
      process.exitCode = await runAuditRecord(config(), options);
    });
  program
    .command('compliance')
    .description('compliance reports')
    .command('report')
    .description('evaluate the configuration and the store against a standard')
    .addOption(new Option('--standard <standard>', 'which').choices([...STANDARD_IDS]).makeOptionMandatory())
    .addOption(new Option('--format <format>', 'output').choices([...REPORT_FORMATS]).default('md'))
    .option('--output <file>', 'write to a file instead of stdout')
    .option('--strict', 'exit 5 when the status is NON_COMPLIANT')
    .action(async (options: { standard: StandardId; format: ReportFormat; output?: string; strict?: boolean }) => {
      process.exitCode = await runComplianceReport(config(), options);
    });
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      return EXIT.CONFIG;
    }
    if (err instanceof ApiCallError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      return EXIT.FAILURE;
    }
    if (err instanceof AlertConfigError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      return EXIT.CONFIG;
    }
    if (err instanceof StoreCommandError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      return EXIT.FAILURE;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      return EXIT.USAGE;
    }
    process.stderr.write(`vigil: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.FAILURE;
  }
}
