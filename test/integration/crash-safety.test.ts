import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startVigilProcess } from '../helpers/vigil-process.js';

/**
 * kill -9 under load. Posters send batches continuously and remember which
 * events got a 2xx (each event carries a unique sessionId). The process is
 * killed with SIGKILL mid-stream, started again on the same data dir, then
 * stopped cleanly: every acknowledged event must be in the store (some of
 * them only because the restart replayed the ingest journal), and the
 * brute-force attack in the stream must have its detections.
 */
describe('crash safety of the real process (kill -9)', () => {
  it('keeps every acknowledged event across a SIGKILL: stored or replayed from the journal', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
    const configFile = join(dataDir, 'vigil.yaml');
    // A long flush interval keeps events pending in memory at the moment of the kill:
    // without the journal they would be lost.
    writeFileSync(
      configFile,
      [
        `dataDir: ${dataDir}`,
        'server: { port: 0 }',
        'store: { url: "sqlite:vigil.db", flushIntervalMs: 1500, batchSize: 5000 }',
        'pipeline: { journal: { fsync: interval } }',
        '',
      ].join('\n'),
    );
    const first = await startVigilProcess(configFile);

    const acked = new Set<string>();
    let sent = 0;
    let failedRequests = 0;
    let stop = false;
    const t0 = Date.now() - 600_000;
    let n = 0;
    const attackers = 20;
    const poster = async () => {
      while (!stop) {
        const batch = [];
        for (let i = 0; i < 25; i++) {
          n++;
          const attacker = n % 5 === 0 ? (n / 5) % attackers : -1;
          batch.push(
            attacker >= 0
              ? { eventType: 'LOGIN_FAILURE', sourceIp: `198.51.100.${attacker + 1}`, username: `victim${n % 7}`, sessionId: `s${n}`, timestamp: t0 + n }
              : { eventType: 'LOGIN_SUCCESS', sourceIp: `10.0.${(n >> 8) & 255}.${n & 255}`, username: `u${n % 500}`, sessionId: `s${n}`, timestamp: t0 + n },
          );
        }
        sent += batch.length;
        try {
          const response = await fetch(`${first.url}/api/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(batch),
          });
          if (response.status === 202) for (const e of batch) acked.add(e.sessionId);
          else failedRequests++;
          await response.arrayBuffer();
        } catch {
          failedRequests++;
          return; // the server is gone
        }
      }
    };
    const posters = [poster(), poster(), poster(), poster()];
    while (acked.size < 20_000) await new Promise((r) => setTimeout(r, 50));
    first.child.kill('SIGKILL');
    const killed = await first.exited;
    stop = true;
    await Promise.all(posters);
    expect(killed.signal).toBe('SIGKILL');

    const second = await startVigilProcess(configFile);
    const replay = second.logs.find((l) => l.msg === 'replaying the ingest journal left by the previous run');
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const db = new Database(join(dataDir, 'vigil.db'), { readonly: true });
    const stored = new Set((db.prepare('select session_id from login_attempts').pluck().all() as string[]).filter((s) => s !== null));
    const storedRows = db.prepare('select count(*) from login_attempts').pluck().get() as number;
    const missing = [...acked].filter((s) => !stored.has(s));
    const bruteForceIps = db.prepare("select distinct source_ip from detections where type = 'brute_force'").pluck().all() as string[];
    db.close();

    const report = {
      sent,
      acknowledged: acked.size,
      unacknowledgedRequests: failedRequests,
      replayedFromJournal: (replay?.events as number | undefined) ?? 0,
      storedRows,
      storedDistinct: stored.size,
      missingAcknowledged: missing.length,
      bruteForceIps: bruteForceIps.length,
    };
    console.log(`crash-safety: ${JSON.stringify(report)}`);

    expect(missing).toEqual([]);
    // The kill hit while events were waiting for the store: the journal had to bring them back.
    expect(report.replayedFromJournal).toBeGreaterThan(0);
    // No duplicates: replayed events the store already had were skipped.
    expect(storedRows).toBe(stored.size);
    expect(bruteForceIps.length).toBe(attackers);
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);
});
