import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { VigilGuard, type VigilGuardOptions } from './guard.js';

export type VigilFastifyOptions = VigilGuardOptions | { guard: VigilGuard };

declare module 'fastify' {
  interface FastifyInstance {
    /** Vigil's guard (decision cache, reporting) registered by `vigilFastify`. */
    vigil: VigilGuard;
  }
}

async function plugin(app: FastifyInstance, options: VigilFastifyOptions): Promise<void> {
  const owned = !('guard' in options);
  const guard = 'guard' in options ? options.guard : new VigilGuard(options);
  app.decorate('vigil', guard);
  app.addHook('onRequest', (request, reply, done) => {
    const verdict = guard.check(request.raw);
    if (verdict.action === 'allow') {
      guard.observeRequest(request.raw);
      return done();
    }
    void reply.code(verdict.status).headers({ ...verdict.headers, 'cache-control': 'no-store' }).send(verdict.body);
    if (verdict.action === 'block') guard.notifyBlock(verdict.ip, verdict.decision, request.raw);
  });
  if (guard.client !== undefined) {
    app.addHook('onResponse', (request, reply, done) => {
      guard.observeResponse(request.raw, reply.statusCode);
      done();
    });
  }
  if (owned) app.addHook('onClose', async () => guard.close());
}

/**
 * `await app.register(vigilFastify, { url, apiKey })` — an `onRequest` hook
 * answering 403 (VIGIL_E_BLOCKED) before routing for blocked clients. It
 * skips Fastify's encapsulation (like `fastify-plugin`), so the hook covers
 * every route of the instance it is registered on, including sibling plugins.
 */
export const vigilFastify: FastifyPluginAsync<VigilFastifyOptions> = Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'vigil',
  [Symbol.for('plugin-meta')]: { name: 'vigil', fastify: '5.x' },
});
