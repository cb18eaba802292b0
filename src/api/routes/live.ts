import type { FastifyInstance } from 'fastify';
import type { LiveFeed } from '../live/live-feed.js';
import { formatSse, type SseHub } from '../live/sse-hub.js';
import { apiError } from '../errors.js';

export interface LiveRouteDeps {
  feed: LiveFeed;
  hub: SseHub;
}

const security: { [label: string]: string[] }[] = [{ bearer: [] }, { apiKey: [] }];

/** The dashboard's data: a snapshot, then a Server-Sent Events stream of changes. */
export function registerLiveRoutes(app: FastifyInstance, deps: LiveRouteDeps): void {
  const { feed, hub } = deps;

  app.get(
    '/api/v1/dashboard',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Everything the dashboard shows: events/s history, top IPs/usernames/countries, alerts, status, incidents, decisions, suppressions.',
        tags: ['dashboard'],
        security,
      },
    },
    async () => feed.snapshot(),
  );

  app.get(
    '/api/v1/live',
    {
      config: { scope: 'read' },
      schema: {
        summary:
          'Server-Sent Events: hello, tick (each second), incident, decision, protection, alert, resync and dropped (reload the snapshot). See the README.',
        tags: ['dashboard'],
        security,
      },
    },
    async (request, reply) => {
      const raw = reply.raw;
      const remove = hub.add(raw);
      if (remove === undefined) {
        return reply.code(503).header('retry-after', '5').send(apiError('VIGIL_E_TOO_MANY_STREAMS', 'too many live-stream clients; retry later'));
      }
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        // Reverse proxies (nginx) must not buffer the stream.
        'x-accel-buffering': 'no',
      });
      // Reconnect after 2 s when the connection drops; then say hello.
      raw.write(`retry: 2000\n${formatSse('hello', { at: Date.now() })}`);
      request.raw.socket.setNoDelay(true);
      request.raw.on('close', () => remove());
    },
  );

  // Open streams would keep the server from closing.
  app.addHook('preClose', (done) => {
    hub.close();
    done();
  });
}
