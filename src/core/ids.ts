import { randomBytes } from 'node:crypto';

/**
 * Cheap unique ids for the hot path: a random per-process prefix and a
 * counter. Unique across restarts (new prefix) without a UUID per event.
 *
 * The counter is fixed-width base 36 (8 digits: 2.8 × 10^12 ids per
 * process), so one process's ids sort in the order they were made: rows keyed
 * by them are appended at the end of the database's id index instead of being
 * scattered over it.
 */
export class IdGenerator {
  private readonly prefix: string;
  private counter = 0;
  constructor(tag: string, prefix = randomBytes(5).toString('hex')) {
    this.prefix = `${tag}-${prefix}-`;
  }
  next(): string {
    this.counter++;
    return this.prefix + this.counter.toString(36).padStart(8, '0');
  }
}
