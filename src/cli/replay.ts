import type { VigilConfig } from '../core/config.js';
import type { Detection } from '../core/detection.js';
import { openInput, sampleLines, selectParser, UsageError } from './input.js';
import { replay, type ReplaySummary } from '../pipeline/replay.js';
import { EXIT } from './exit-codes.js';
import { ProgressLine } from './progress.js';

export interface ReplayCliOptions {
  input?: string;
  output?: 'ndjson' | 'table';
  timeZone?: string;
  quiet?: boolean;
}

export async function runReplay(file: string, config: VigilConfig, options: ReplayCliOptions): Promise<number> {
  try {
    return await replayFile(file, config, options);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    process.stderr.write(`vigil replay: cannot read ${file}: ${(err as Error).message}\n`);
    return EXIT.FAILURE;
  }
}

async function replayFile(file: string, config: VigilConfig, options: ReplayCliOptions): Promise<number> {
  const opened = await openInput(file);
  const { sample, stream } = await sampleLines(opened.stream);
  const parser = selectParser(options.input, sample);
  if (parser === undefined) return EXIT.USAGE;

  const output = options.output ?? (process.stdout.isTTY ? 'table' : 'ndjson');
  const collected: Detection[] = [];
  const progress = process.stderr.isTTY && !options.quiet ? new ProgressLine(process.stderr, opened.size) : undefined;
  let errorsShown = 0;
  const summary = await replay(stream, {
    parser,
    config,
    timeZone: options.timeZone ?? config.timeZone,
    onDetection: async (detection) => {
      if (output === 'table') {
        collected.push(detection);
        return;
      }
      if (!process.stdout.write(JSON.stringify(detection) + '\n')) {
        await new Promise((resolve) => process.stdout.once('drain', resolve));
      }
    },
    onError: (line, error) => {
      if (options.quiet || errorsShown >= 10) return;
      errorsShown++;
      progress?.done();
      process.stderr.write(`line ${line}: ${error}\n`);
    },
    onProgress: progress ? (bytes, events) => progress.update(bytes, events) : undefined,
  });
  progress?.done();
  if (output === 'table') await printTable(collected);
  if (!options.quiet) printSummary(summary, parser.name);
  return summary.errors > 0 ? EXIT.INPUT_ERRORS : EXIT.OK;
}

async function printTable(detections: Detection[]): Promise<void> {
  // Loaded only for the table output.
  const { default: Table } = await import('cli-table3');
  const table = new Table({
    head: ['type', 'severity', 'subject', 'events', 'first seen', 'last seen', 'usernames'],
    style: { head: [], border: [] },
  });
  for (const d of detections) {
    table.push([
      d.type,
      d.severity,
      d.sourceIp ?? d.username ?? '',
      d.evidence.eventCount,
      new Date(d.evidence.firstSeen).toISOString(),
      new Date(d.evidence.lastSeen).toISOString(),
      (d.evidence.usernames ?? []).slice(0, 5).join(', '),
    ]);
  }
  process.stdout.write(table.toString() + '\n');
}

function printSummary(s: ReplaySummary, parser: string): void {
  const rate = s.seconds > 0 ? Math.round(s.lines / s.seconds) : 0;
  const types = Object.entries(s.byType)
    .map(([t, n]) => `${t}=${n}`)
    .join(' ');
  const span =
    s.firstEvent !== undefined && s.lastEvent !== undefined
      ? ` over ${new Date(s.firstEvent).toISOString()} … ${new Date(s.lastEvent).toISOString()}`
      : '';
  process.stderr.write(
    `replay (${parser}): ${s.lines} lines, ${s.events} events, ${s.skipped} skipped, ${s.errors} errors${span}; ` +
      `${s.detections} detections${types ? ` (${types})` : ''}; ${s.seconds.toFixed(2)} s, ${rate.toLocaleString('en')} lines/s\n`,
  );
}
