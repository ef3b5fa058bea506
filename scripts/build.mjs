#!/usr/bin/env node
// Bundle the server-side entry points with esbuild: one CommonJS file per entry in build/ (dist/ holds only the
// Grafana plugin, as create-plugin's does). Add entry points to ENTRIES.
//
//   node scripts/build.mjs            build everything
//   node scripts/build.mjs logqlsql   build only the named entries
//
// Native modules stay external (loaded from node_modules at run time). re2-wasm finds its .wasm next to the script
// (__dirname), so the .wasm is copied into build/ beside the bundles.

import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build');

/** name → entry file; output is build/<name>.cjs */
export const ENTRIES = [
  { name: 'logqlsql', entry: 'server/cli/main.ts' },
  { name: 'bench', entry: 'bench/bench.ts' },
];

/** Packages that must not be bundled: native bindings and optional database clients. */
export const EXTERNAL = ['@duckdb/*', 'chdb', 'pg-native', 'pg', 'bufferutil', 'utf-8-validate'];

/** Files some bundled packages read relative to their own script at run time: [from node_modules, to build/]. */
const ASSETS = [['re2-wasm/build/wasm/re2.wasm', 're2.wasm']];

const LEFTOVERS = [
  '.sea',
  'logqlsql-grpc.cjs',
  ...['logqlsql', 'bench', 'loadtest'].flatMap((n) => [`${n}.cjs`, `${n}.cjs.map`]),
];

async function main() {
  const only = process.argv.slice(2);
  const entries = only.length ? ENTRIES.filter((e) => only.includes(e.name)) : ENTRIES;
  if (only.length && entries.length !== only.length) {
    console.error(`unknown entry: ${only.filter((n) => !ENTRIES.some((e) => e.name === n)).join(', ')}`);
    console.error(`entries: ${ENTRIES.map((e) => e.name).join(', ')}`);
    process.exit(2);
  }
  mkdirSync(out, { recursive: true });
  // earlier builds wrote these into dist/, which is now the Grafana plugin alone
  for (const f of LEFTOVERS) rmSync(join(root, 'dist', f), { recursive: true, force: true });
  const t0 = performance.now();
  await Promise.all(
    entries.map((e) =>
      build({
        entryPoints: [join(root, e.entry)],
        outfile: join(out, `${e.name}.cjs`),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        sourcemap: true,
        external: EXTERNAL,
        logLevel: 'warning',
        legalComments: 'none',
        // keep class/function names: errors are recognised by name (LogQLError) across module boundaries
        keepNames: true,
      }),
    ),
  );
  for (const [from, to] of ASSETS) {
    const src = join(root, 'node_modules', from);
    if (existsSync(src)) copyFileSync(src, join(out, to));
    else console.warn(`build: ${from} not found; regex features needing it will fail at run time`);
  }
  console.error(
    `built ${entries.map((e) => `build/${e.name}.cjs`).join(', ')} in ${Math.round(performance.now() - t0)} ms`,
  );
}

try {
  await main();
} catch (e) {
  // esbuild has already printed the errors with their locations
  if (!Array.isArray(e?.errors)) console.error(e);
  console.error('build failed');
  process.exit(1);
}
