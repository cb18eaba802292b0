import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { loginFailure, postJson, startService, type RunningService } from '../helpers/service.js';

let running: RunningService | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  receiver = undefined;
});

describe('the service forwards to SIEM destinations', () => {
  it('sends detections, decisions and — when the filter asks — events to a generic HTTP destination', async () => {
    const bodies: unknown[][] = [];
    receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      req.on('end', () => {
        try {
          bodies.push(JSON.parse(text) as unknown[]);
        } catch {
          bodies.push([{ unparsable: text.slice(0, 200), headers: req.headers }]);
        }
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    running = await startService({
      'pipeline.maxLatenessSeconds': 1e12,
      'siem.destinations': [
        {
          name: 'collector',
          type: 'http',
          url: `http://127.0.0.1:${port}/ingest`,
          flushIntervalSeconds: 0.05,
          filter: { kinds: ['detection', 'event', 'decision'] },
        },
      ],
    });
    const now = Date.now();
    const events = Array.from({ length: 6 }, (_, i) => loginFailure('203.0.113.120', `u${i}`, now - 5000 + i));
    expect((await postJson(`${running.url}/api/v1/events`, events)).status).toBe(202);
    await running.service.pipeline.idle();
    const kinds = () => new Set(bodies.flat().map((r) => (r as { kind?: string }).kind ?? JSON.stringify(r).slice(0, 40)));
    for (let i = 0; i < 200 && kinds().size < 3; i++) await new Promise((r) => setTimeout(r, 25));
    await Promise.race([running.service.siem?.flush(), new Promise((r) => setTimeout(r, 3000))]);
    const all = JSON.stringify(bodies);
    expect(all).toContain('203.0.113.120');
    expect(all).toContain('brute_force');
    expect(all).toMatch(/"kind":"decision"/);
    expect(all).toMatch(/"kind":"event"/);
  });
});
