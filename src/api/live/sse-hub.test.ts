import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatSse, SseHub } from './sse-hub.js';

/** A writable that never drains: what a client that stopped reading looks like to the server. */
function stuckClient(highWaterMark = 1024): Writable {
  return new Writable({ highWaterMark, write: () => undefined });
}

function collect(stream: PassThrough): () => string {
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return () => chunks.join('');
}

describe('SseHub', () => {
  it('formats one event with a single JSON data line', () => {
    expect(formatSse('tick', { a: 'x\ny' })).toBe('event: tick\ndata: {"a":"x\\ny"}\n\n');
  });

  it('sends to every client; a client stuck reading stops receiving once its buffer is full, and drops are counted', () => {
    const hub = new SseHub({ maxClients: 5, maxBufferedBytes: 4096 });
    const fast = new PassThrough();
    const read = collect(fast);
    const slow = stuckClient();
    hub.add(fast);
    hub.add(slow);
    const payload = { text: 'x'.repeat(500) };
    for (let i = 0; i < 100; i++) hub.broadcast('tick', payload);
    expect(read().split('event: tick').length - 1).toBe(100);
    // The stuck client holds at most the buffer limit; the rest was dropped.
    expect(slow.writableLength).toBeLessThanOrEqual(4096);
    expect(hub.dropped).toBeGreaterThan(90);
    expect(hub.dropped + hub.sent).toBe(200);
  });

  it('tells a client that caught up how many messages it missed, before the next one', async () => {
    const hub = new SseHub({ maxClients: 1, maxBufferedBytes: 600 });
    const client = new PassThrough({ highWaterMark: 16 });
    hub.add(client);
    hub.broadcast('a', { text: 'x'.repeat(500) });
    hub.broadcast('b', { text: 'x'.repeat(500) }); // over the limit: dropped
    expect(hub.dropped).toBe(1);
    const first = client.read() as Buffer; // the client reads: its buffer empties
    expect(first.toString()).toContain('event: a');
    hub.broadcast('c', { n: 1 });
    const rest = (client.read() as Buffer).toString();
    expect(rest).toBe(`${formatSse('dropped', { dropped: 1 })}${formatSse('c', { n: 1 })}`);
  });

  it('refuses clients beyond maxClients (counted) and forgets removed and destroyed ones', () => {
    const hub = new SseHub({ maxClients: 1, maxBufferedBytes: 4096 });
    const one = new PassThrough();
    const remove = hub.add(one);
    expect(hub.add(new PassThrough())).toBeUndefined();
    expect(hub.refused).toBe(1);
    remove?.();
    expect(hub.size).toBe(0);
    const two = new PassThrough();
    hub.add(two);
    two.destroy();
    hub.broadcast('x', {});
    expect(hub.size).toBe(0);
  });
});
