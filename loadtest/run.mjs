#!/usr/bin/env node
// `npm run loadtest`: bundle loadtest/loadtest.ts with esbuild (it imports the server's encoders) and run it.
// Arguments pass through: npm run loadtest -- --duration 60 --pushers 8 --db postgres://…
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'loadtest.cjs');
await build({
  entryPoints: [join(root, 'loadtest', 'loadtest.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['@duckdb/*', 'pg', 'pg-native', 'chdb'],
  logLevel: 'warning',
});
const require = createRequire(import.meta.url);
const code = await require(out).main(process.argv.slice(2));
process.exit(code);
