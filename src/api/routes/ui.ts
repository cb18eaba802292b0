import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/**
 * The dashboard's Content-Security-Policy: scripts, styles and connections
 * from this origin only — no inline script, no eval, no framing — so the
 * page is safe to expose. (uPlot sets sizes through the CSSOM, which style-src
 * does not restrict.)
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Where the assets are: src/ui/assets when running from source, dist/src/ui/assets when built. */
export function uiAssetDirs(): { assets: string; vendor: string } {
  const assets = fileURLToPath(new URL('../../ui/assets/', import.meta.url));
  // `npm run build` copies uPlot's dist files here; from source they are read from node_modules.
  const bundled = join(assets, 'vendor');
  const vendor = existsSync(join(bundled, 'uPlot.esm.js')) ? bundled : dirname(createRequire(import.meta.url).resolve('uplot'));
  return { assets, vendor };
}

/** The dashboard page at `/`, its assets under `/ui/` (no token needed: the data behind it is). */
export async function registerUiRoutes(app: FastifyInstance): Promise<void> {
  const { assets, vendor } = uiAssetDirs();
  // Loaded here, not at the top: CLI commands that never serve the dashboard skip its cost.
  const { default: fastifyStatic } = await import('@fastify/static');
  await app.register(async (ui) => {
    ui.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', DASHBOARD_CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('x-frame-options', 'DENY');
      return payload;
    });
    await ui.register(fastifyStatic, { root: assets, prefix: '/ui/', index: false, cacheControl: true, maxAge: 0 });
    await ui.register(fastifyStatic, { root: vendor, prefix: '/ui/vendor/', decorateReply: false, index: false, allowedPath: (path) => /^\/uPlot\.(esm\.js|min\.css)$/.test(path) });
    ui.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').sendFile('index.html', { maxAge: 0 }));
  });
}
