#!/usr/bin/env node
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('vigil: not built yet; run `npm run build` (or `npm start`, which builds first)\n');
  process.exit(1);
}
// `vigil … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
