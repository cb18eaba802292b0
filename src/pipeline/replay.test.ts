import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.js';
import type { Detection } from '../core/detection.js';
import { sshdParser } from '../parsers/sshd.js';
import { syslogParser } from '../parsers/syslog.js';
import type { LineParser } from '../parsers/parser.js';
import { replay } from './replay.js';

const { config } = loadConfig({ env: {}, cwd: '/' });

/** An auth.log excerpt: a brute force, noise of other programs, sshd lines without signal, bad lines, UTF-8, CRLF. */
const LOG = [
  'Nov 18 00:00:01 bastion-01 CRON[1176364]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
  ...Array.from({ length: 8 }, (_, k) => `Nov 18 00:00:${10 + k} bastion-01 sshd[${100 + k}]: Failed password for r\u00e9my from 203.0.113.9 port ${4000 + k} ssh2`),
  'Nov 18 00:00:20 bastion-01 sshd[120]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)\r',
  'Nov 18 00:00:21 bastion-01 sshd[120]: Disconnected from user alice 10.0.0.1 port 50000',
  'Feb 30 00:00:22 bastion-01 cron[1]: no such day',
  '',
  'not a syslog line \u20ac',
  'Nov 18 00:00:23 h\u00e9 systemd-logind[412]: New session 1 of user alice.',
  'Nov 18 00:00:24 bastion-01 sshd[121]: Invalid user x from 203.0.113.9 port 1',
].join('\n');

interface Run {
  lines: number;
  events: number;
  errors: number;
  skipped: number;
  detections: string[];
  errorLines: string[];
}

async function run(chunks: (Buffer | string)[], parser: LineParser): Promise<Run> {
  const detections: string[] = [];
  const errorLines: string[] = [];
  const summary = await replay(
    (async function* () {
      yield* chunks;
    })(),
    {
      parser,
      config,
      onDetection: (d: Detection) => void detections.push(`${d.type} ${d.sourceIp} ${d.evidence.eventCount} ${(d.evidence.usernames ?? []).join(',')}`),
      onError: (line, error) => void errorLines.push(`${line}: ${error}`),
    },
  );
  return { lines: summary.lines, events: summary.events, errors: summary.errors, skipped: summary.skipped, detections, errorLines };
}

describe('replay reading bytes', () => {
  it('gives the same result however the bytes are cut into chunks (inside lines, UTF-8 characters and CRLF)', async () => {
    const bytes = Buffer.from(LOG + '\r\n' + 'Nov 18 00:00:25 bastion-01 sshd[122]: Failed password for root from 203.0.113.9 port 9 ssh2', 'utf8');
    for (const parser of [sshdParser, syslogParser]) {
      const whole = await run([bytes], parser);
      expect(whole).toMatchObject({ lines: 17, errors: 2, skipped: 4 });
      expect(whole.events).toBe(10);
      expect(whole.detections).toEqual(['brute_force 203.0.113.9 9 rémy,root']);
      expect(whole.errorLines.map((l) => l.split(':')[0])).toEqual(['12', '14']);
      // As text, as one chunk per byte, and cut at every position into two and three chunks.
      expect(await run([bytes.toString('utf8')], parser)).toEqual(whole);
      expect(await run(Array.from(bytes, (b) => Buffer.from([b])), parser)).toEqual(whole);
      for (let cut = 1; cut < bytes.length; cut += 7) {
        expect(await run([bytes.subarray(0, cut), bytes.subarray(cut)], parser), `cut at ${cut}`).toEqual(whole);
        const third = Math.min(bytes.length, cut + 3);
        expect(await run([bytes.subarray(0, cut), bytes.subarray(cut, third), bytes.subarray(third)], parser)).toEqual(whole);
      }
      // Text first, then bytes (a mixed stream).
      const half = LOG.length >> 1;
      expect(await run([LOG.slice(0, half), Buffer.from(LOG.slice(half) + '\r\nNov 18 00:00:25 bastion-01 sshd[122]: Failed password for root from 203.0.113.9 port 9 ssh2')], parser)).toEqual(whole);
    }
  });
});
