import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromDetectionRecord, type SiemRecord } from './record.js';
import { Spool } from './spool.js';
import { detection } from './test-fixtures.js';

const records = (n: number, prefix = 'r'): SiemRecord[] =>
  Array.from({ length: n }, (_, i) => fromDetectionRecord({ status: 'open', detection: detection({ id: `${prefix}-${i}` }) }));
const ids = (entries: Array<{ record: SiemRecord }>) => entries.map((e) => (e.record.kind === 'detection' ? e.record.detection.id : ''));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-spool-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Spool', () => {
  it('reads back in order, survives reopening, and resumes after the acknowledged offset', () => {
    const spool = new Spool(dir, { maxBytes: 1 << 20, segmentBytes: 1 << 20 });
    spool.append(records(5));
    spool.ack(2);
    spool.close();
    const reopened = new Spool(dir, { maxBytes: 1 << 20, segmentBytes: 1 << 20 });
    expect(reopened.ackedSeq).toBe(2);
    expect(reopened.unacknowledged).toBe(3);
    expect(ids(reopened.read(reopened.ackedSeq, 10))).toEqual(['r-2', 'r-3', 'r-4']);
    const { accepted } = reopened.append(records(1, 'new'));
    expect(accepted[0]?.seq).toBe(6);
    reopened.close();
  });

  it('rotates segments and deletes them once acknowledged', () => {
    const spool = new Spool(dir, { maxBytes: 1 << 20, segmentBytes: 2048 });
    spool.append(records(20));
    const segments = readdirSync(dir).filter((f) => f.startsWith('segment-'));
    expect(segments.length).toBeGreaterThan(2);
    spool.ack(10);
    expect(readdirSync(dir).filter((f) => f.startsWith('segment-')).length).toBeLessThan(segments.length);
    expect(ids(spool.read(10, 100))).toHaveLength(10);
    spool.ack(20);
    expect(readdirSync(dir).filter((f) => f.startsWith('segment-'))).toEqual([]);
    expect(spool.bytes).toBe(0);
    spool.close();
  });

  it('skips a line torn by a crash and counts it', () => {
    const spool = new Spool(dir, { maxBytes: 1 << 20, segmentBytes: 1 << 20 });
    spool.append(records(2));
    spool.close();
    const segment = readdirSync(dir).find((f) => f.startsWith('segment-')) as string;
    appendFileSync(join(dir, segment), '{"seq":3,"record":{"kind":"dete');
    const reopened = new Spool(dir, { maxBytes: 1 << 20, segmentBytes: 1 << 20 });
    expect(reopened.corruptLines).toBe(1);
    expect(reopened.lastSeq).toBe(2);
    reopened.append(records(1, 'after'));
    expect(ids(reopened.read(0, 10))).toEqual(['r-0', 'r-1', 'after-0']);
    reopened.close();
  });

  it('refuses records beyond maxBytes', () => {
    const spool = new Spool(dir, { maxBytes: 2000, segmentBytes: 1 << 20 });
    const { accepted, refused } = spool.append(records(10));
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length + refused).toBe(10);
    expect(spool.bytes).toBeLessThanOrEqual(2000);
    spool.close();
  });
});
