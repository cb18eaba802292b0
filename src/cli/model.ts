import { resolve } from 'node:path';
import type { VigilConfig } from '../core/config.js';
import type { SecurityEvent } from '../core/event.js';
import { IdGenerator } from '../core/ids.js';
import { IsolationForest } from '../detect/anomaly/isolation-forest.js';
import { scoreEvents, trainFromEvents } from '../detect/anomaly/model-cli.js';
import type { ParseContext } from '../parsers/parser.js';
import { EXIT } from './exit-codes.js';
import { openInput, readLines, sampleLines, selectParser, UsageError } from './input.js';

export interface ModelCliOptions {
  input?: string;
  model?: string;
  days?: string;
  seed?: string;
  contamination?: string;
  threshold?: string;
}

/** Read every event of a file (any supported format); parse errors are counted, not fatal. */
async function readEvents(file: string, input: string | undefined, config: VigilConfig): Promise<{ events: SecurityEvent[]; errors: number } | undefined> {
  const opened = await openInput(file);
  const { sample, stream } = await sampleLines(opened.stream);
  const parser = selectParser(input, sample);
  if (parser === undefined) return undefined;
  const ctx: ParseContext = { ids: new IdGenerator('ev'), now: () => Date.now(), timeZone: config.timeZone };
  const events: SecurityEvent[] = [];
  let errors = 0;
  for await (const line of readLines(stream)) {
    if (line.trim() === '') continue;
    const outcome = parser.parse(line, ctx);
    if (outcome.event !== undefined) events.push(outcome.event);
    else if (outcome.error !== undefined) errors++;
  }
  return { events, errors };
}

function modelPath(config: VigilConfig, option: string | undefined): string {
  return resolve(config.dataDir, option ?? config.detectors.anomalousLogin.modelPath ?? 'anomaly-model.json');
}

function number(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`--${name}: expected a number, got ${text}`);
  return value;
}

/** `vigil model train`: an isolation forest on the successful logins of the last 7 days of the input. */
export async function runModelTrain(file: string, config: VigilConfig, options: ModelCliOptions): Promise<number> {
  const read = await readEvents(file, options.input, config).catch((err: Error) => {
    process.stderr.write(`vigil model train: cannot read ${file}: ${err.message}\n`);
    return null;
  });
  if (read === null) return EXIT.FAILURE;
  if (read === undefined) return EXIT.USAGE;
  const out = modelPath(config, options.model);
  try {
    const forest = trainFromEvents(read.events, {
      out,
      days: number('days', options.days),
      seed: number('seed', options.seed),
      contamination: number('contamination', options.contamination),
    });
    const model = forest.toJSON();
    process.stderr.write(
      `model written to ${out}: ${model.trees.length} trees, subsample ${model.subsample}, offset ${forest.offset.toFixed(4)}` +
        `${read.errors > 0 ? `; ${read.errors} unparsed lines skipped` : ''}\n`,
    );
    return EXIT.OK;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    process.stderr.write(`vigil model train: ${(err as Error).message}\n`);
    return EXIT.FAILURE;
  }
}

/** `vigil model score`: one JSON line per login event with its score, decision value and verdict. */
export async function runModelScore(file: string, config: VigilConfig, options: ModelCliOptions): Promise<number> {
  let model: IsolationForest;
  const path = modelPath(config, options.model);
  try {
    model = IsolationForest.load(path);
  } catch (err) {
    process.stderr.write(`vigil model score: cannot load the model ${path}: ${(err as Error).message} (train one with vigil model train)\n`);
    return EXIT.FAILURE;
  }
  const read = await readEvents(file, options.input, config).catch((err: Error) => {
    process.stderr.write(`vigil model score: cannot read ${file}: ${err.message}\n`);
    return null;
  });
  if (read === null) return EXIT.FAILURE;
  if (read === undefined) return EXIT.USAGE;
  const threshold = number('threshold', options.threshold) ?? config.detectors.anomalousLogin.threshold;
  let text = '';
  for (const scored of scoreEvents(read.events, model, threshold)) text += JSON.stringify(scored) + '\n';
  process.stdout.write(text);
  return EXIT.OK;
}
