import { randomBytes } from 'node:crypto';

/**
 * Cheap unique ids for the hot path: a random per-process prefix and a
 * counter. Unique across restarts (new prefix) without a UUID per event.
 */
export class IdGenerator {
  private readonly prefix: string;
  private counter = 0;
  constructor(tag: string, prefix = randomBytes(5).toString('hex')) {
    this.prefix = `${tag}-${prefix}-`;
  }
  next(): string {
    this.counter++;
    return this.prefix + this.counter.toString(36);
  }
}
