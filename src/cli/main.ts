import { Command, CommanderError, Option } from 'commander';
import { stringify } from 'yaml';
import { ConfigError, loadConfig, redactSecrets, type LoadedConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { VERSION } from '../core/version.js';
import { PARSER_NAMES } from '../parsers/index.js';
import { VigilService } from '../service.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './input.js';
import { runParse } from './parse.js';
import { runReplay } from './replay.js';
import { runScan } from './scan.js';
import type { ScanInput } from '../detect/web/scan.js';

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
  const logger = createLogger(config.log.level);
  if (file !== undefined) logger.info({ file }, 'configuration loaded');
  const service = new VigilService({ config, logger });
  try {
    await service.start();
  } catch (err) {
    logger.error({ err }, 'could not start');
    await service.stop().catch(() => undefined);
    logger.flush();
    return EXIT.FAILURE;
  }
  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping: draining accepted events');
      service
        .stop()
        .then(() => resolveExit(EXIT.OK))
        .catch((err: unknown) => {
          logger.error({ err }, 'error while stopping');
          resolveExit(EXIT.FAILURE);
        })
        .finally(() => logger.flush());
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
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
    .command('print')
    .description('print the effective configuration with secrets redacted')
    .addOption(new Option('--format <format>', 'yaml or json').choices(['yaml', 'json']).default('yaml'))
    .action((options: { format: 'yaml' | 'json' }) => {
      const { config } = load(program.opts<GlobalOptions>());
      const redacted = redactSecrets(config);
      process.stdout.write(options.format === 'json' ? JSON.stringify(redacted, null, 2) + '\n' : stringify(redacted));
    });
  return program;
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
    if (err instanceof UsageError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      return EXIT.USAGE;
    }
    process.stderr.write(`vigil: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.FAILURE;
  }
}
