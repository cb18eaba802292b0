// Bundles the dashboard at build time: copies src/ui/assets to dist/src/ui/assets and
// uPlot's browser files into its vendor/ folder, so the built service needs no CDN and
// no node_modules lookup to serve the dashboard.
import { copyFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const from = join(root, 'src/ui/assets');
const to = join(root, 'dist/src/ui/assets');
const uplot = dirname(createRequire(import.meta.url).resolve('uplot'));

rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
mkdirSync(join(to, 'vendor'), { recursive: true });
for (const file of ['uPlot.esm.js', 'uPlot.min.css', 'LICENSE']) {
  copyFileSync(join(uplot, file === 'LICENSE' ? '../LICENSE' : file), join(to, 'vendor', file));
}
process.stderr.write(`vigil: dashboard assets → ${to}\n`);
