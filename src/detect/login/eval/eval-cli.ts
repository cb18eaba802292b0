import { IdGenerator } from '../../../core/ids.js';
import { GeoIp } from '../../../enrich/geoip.js';
import type { AttackType } from './generator.js';
import { DEFAULT_GENERATOR, generateTraffic, type GeneratorOptions } from './generator.js';
import { createLoginDetectors, formatTable, loadNativeNdjson, runDetectors, score, sshdTruth } from './evaluate.js';

/**
 * Evaluates the login detectors:
 *   node dist/src/detect/login/eval/eval-cli.js [--noisy] [--seed N] [--users N] [--days N] [--verbose]
 *   node dist/src/detect/login/eval/eval-cli.js --sshd /tmp/s.ndjson   (truth: /tmp/s.ndjson.truth.json)
 * Prints subject-level precision and recall per detection type and the throughput.
 */
function main(argv: string[]): void {
  const flag = (name: string) => argv.includes(name);
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(name);
    return at === -1 ? undefined : argv[at + 1];
  };
  const geo = new GeoIp();
  const make = (listener: Parameters<typeof createLoginDetectors>[0]) => createLoginDetectors(listener, new IdGenerator('det', 'eval'), geo);
  const sshd = value('--sshd');
  let events;
  let truth: Map<AttackType, Set<string>>;
  let notes: Map<string, string> | undefined;
  let types: AttackType[] | undefined;
  let scoreFrom: number | undefined;
  if (sshd !== undefined) {
    events = loadNativeNdjson(sshd);
    truth = sshdTruth(value('--truth') ?? `${sshd}.truth.json`);
    types = [...truth.keys()];
    console.log(`gen-sshd-log input ${sshd}: ${events.length} events`);
  } else {
    const options: GeneratorOptions = {
      ...DEFAULT_GENERATOR,
      noisy: flag('--noisy'),
      seed: Number(value('--seed') ?? DEFAULT_GENERATOR.seed),
      users: Number(value('--users') ?? DEFAULT_GENERATOR.users),
      days: Number(value('--days') ?? DEFAULT_GENERATOR.days),
      warmupDays: Number(value('--warmup-days') ?? DEFAULT_GENERATOR.warmupDays),
    };
    const generated = generateTraffic(options, geo);
    events = generated.events;
    truth = generated.truth;
    notes = generated.notes;
    scoreFrom = generated.scoreFrom;
    console.log(
      `generator seed=${options.seed} users=${options.users} days=${options.days} warm-up=${options.warmupDays}d` +
        `${options.noisy ? ' noisy' : ''}: ${events.length} events`,
    );
  }
  const result = runDetectors(events, make);
  const rows = score(result.detections, truth, types, scoreFrom);
  console.log(formatTable(rows));
  console.log(
    `${result.detections.length} detections; ${result.events} events in ${result.seconds.toFixed(2)} s = ` +
      `${Math.round(result.events / result.seconds).toLocaleString('en-US')} events/s (all detectors, GeoIP lookups included)`,
  );
  if (flag('--verbose')) {
    for (const row of rows) {
      for (const s of row.falsePositives.slice(0, 10)) console.log(`FP ${row.type} ${s}`);
      for (const s of row.falseNegatives.slice(0, 10)) console.log(`FN ${row.type} ${s} ${notes?.get(`${row.type}:${s}`) ?? ''}`);
    }
  }
}

main(process.argv.slice(2));
