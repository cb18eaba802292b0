import type * as IoRedis from 'ioredis';
import type { Redis } from 'ioredis';
import { lazyModule } from '../core/lazy-module.js';

const ioredis = lazyModule<typeof IoRedis>('ioredis');
import type { Logger } from 'pino';
import type { Decision } from '../core/detection.js';
import type { DecisionUpdate, StateStore, WindowCount, WindowEntry } from './state-store.js';

/**
 * One round trip per key and batch: add the entries to the key's sorted set
 * (score = event time, member = entry id), drop what is older than two
 * windows before the newest, count the last window, refresh the TTL.
 * KEYS[1] = window key; ARGV = windowMs, ttlMs, then time/id pairs.
 */
const ADD_TO_WINDOW = `
local w = tonumber(ARGV[1])
for i = 3, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local newest = tonumber(last[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%.0f', newest - 2 * w))
local from = string.format('%.0f', newest - w)
local count = redis.call('ZCOUNT', KEYS[1], from, '+inf')
local first = redis.call('ZRANGEBYSCORE', KEYS[1], from, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {count, first[2], last[2]}
`;

type WindowRedis = Redis & { vigilAddToWindow(key: string, ...args: (string | number)[]): Promise<[number, string, string]> };

/**
 * The StateStore on Redis, for several Vigil instances: sorted sets for the
 * windows, SET NX PX for claims, one hash for decisions (id → JSON), and a
 * pub/sub channel for decision changes (a second connection subscribes).
 */
export class RedisStateStore implements StateStore {
  readonly kind = 'redis';
  private readonly redis: WindowRedis;
  private subscriber: Redis | undefined;
  private readonly decisionsKey: string;
  private readonly channel: string;
  /** Decision-feed messages that could not be read (counted, logged). */
  badMessages = 0;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly logger?: Logger,
  ) {
    this.redis = new (ioredis().Redis)(url, { maxRetriesPerRequest: 3, lazyConnect: false }) as WindowRedis;
    this.redis.on('error', (err) => this.logger?.warn({ err: err.message }, 'Redis state store connection error'));
    this.redis.defineCommand('vigilAddToWindow', { numberOfKeys: 1, lua: ADD_TO_WINDOW });
    this.decisionsKey = `${prefix}decisions`;
    this.channel = `${prefix}decision-updates`;
  }

  async addToWindows(name: string, entries: readonly WindowEntry[], windowMs: number): Promise<Map<string, WindowCount>> {
    const byKey = new Map<string, (string | number)[]>();
    for (const entry of entries) {
      let args = byKey.get(entry.key);
      if (args === undefined) byKey.set(entry.key, (args = []));
      args.push(entry.time, entry.id);
    }
    const result = new Map<string, WindowCount>();
    if (byKey.size === 0) return result;
    const pipeline = this.redis.pipeline();
    const keys = [...byKey.keys()];
    for (const key of keys) (pipeline as unknown as WindowRedis).vigilAddToWindow(`${this.prefix}win:${name}:${key}`, windowMs, 2 * windowMs, ...(byKey.get(key) as (string | number)[]));
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([err, reply], i) => {
      if (err !== null) throw err;
      const [count, firstSeen, newest] = reply as [number, string, string];
      result.set(keys[i] as string, { count: Number(count), firstSeen: Number(firstSeen), newest: Number(newest) });
    });
    return result;
  }

  async claim(claim: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}claim:${claim}`, '1', 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK';
  }

  async putDecision(decision: Decision): Promise<void> {
    await this.redis.hset(this.decisionsKey, decision.id, JSON.stringify(decision));
  }

  async deleteDecision(id: string): Promise<void> {
    await this.redis.hdel(this.decisionsKey, id);
  }

  async activeDecisions(now: number): Promise<Decision[]> {
    const all = await this.redis.hgetall(this.decisionsKey);
    const active: Decision[] = [];
    const expired: string[] = [];
    for (const [id, text] of Object.entries(all)) {
      const decision = parseJson<Decision>(text);
      if (decision === undefined || !(decision.until > now)) expired.push(id);
      else active.push(decision);
    }
    if (expired.length > 0) await this.redis.hdel(this.decisionsKey, ...expired);
    return active;
  }

  async publishDecision(update: DecisionUpdate): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify(update));
  }

  async subscribeDecisions(listener: (update: DecisionUpdate) => void): Promise<void> {
    if (this.subscriber === undefined) {
      this.subscriber = this.redis.duplicate();
      this.subscriber.on('error', (err) => this.logger?.warn({ err: err.message }, 'Redis subscriber connection error'));
      await this.subscriber.subscribe(this.channel);
    }
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      const update = parseJson<DecisionUpdate>(text);
      if (update === undefined || typeof update.decision?.id !== 'string') {
        this.badMessages++;
        this.logger?.warn({ channel }, 'unreadable decision update ignored');
        return;
      }
      listener(update);
    });
  }

  async close(): Promise<void> {
    if (this.subscriber !== undefined) await this.subscriber.quit().catch(() => this.subscriber?.disconnect());
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
