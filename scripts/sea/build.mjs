#!/usr/bin/env node
// Build the Grafana plugin backend as a Node single executable application (SEA):
//
//   dist/gpx_logqlsql_linux_amd64   node + our bundled plugin entry (server/grafana/main.ts)
//   dist/duckdb.node, dist/libduckdb.so, dist/re2.wasm   native addon and assets, loaded from beside the executable
//   dist/plugin.json                copied from src/plugin.json when the frontend build has not placed it yet
//
// Steps: esbuild bundle (CommonJS) → `node --experimental-sea-config` blob → copy the node binary → strip it (before
// injecting: stripping afterwards would cut the blob) → postject the blob into it.
//
//   node scripts/sea/build.mjs [--node PATH] [--out DIR] [--entry FILE] [--name EXE]
//   (--entry/--name build a test executable, e.g. the fake-engine plugin used by the protocol tests)
//
// The executable needs nothing installed on the host but glibc and libstdc++ (see the launcher for Alpine).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const out = resolve(root, opt('--out', 'dist'));
const nodeBinary = resolve(opt('--node', process.execPath));
const work = join(out, '.sea');
const EXE = opt('--name', 'gpx_logqlsql_linux_amd64');
const ENTRY = resolve(root, opt('--entry', 'server/grafana/main.ts'));
const SENTINEL = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const require = createRequire(join(root, 'package.json'));

function log(msg) {
  process.stderr.write(`sea: ${msg}\n`);
}

/**
 * Native addons cannot be bundled, and inside a SEA `require` only reaches Node's built-in modules. Every
 * `…/duckdb.node` import becomes a loader that dlopen()s the addon from the executable's directory (__dirname is the
 * executable's directory in a SEA, and the bundle's directory when the bundle runs under plain node).
 */
const nativeBesideExecutable = {
  name: 'native-beside-executable',
  setup(b) {
    b.onResolve({ filter: /^@duckdb\/node-bindings-[^/]+\/duckdb\.node$/ }, (a) => ({
      path: a.path,
      namespace: 'native-addon',
    }));
    b.onLoad({ filter: /.*/, namespace: 'native-addon' }, (a) => ({
      loader: 'js',
      contents: a.path.startsWith('@duckdb/node-bindings-linux-x64/')
        ? `const path = require('node:path');
           const dir = process.env.LOGQLSQL_NATIVE_DIR || __dirname;
           const m = { exports: {} };
           process.dlopen(m, path.join(dir, 'duckdb.node'));
           module.exports = m.exports;`
        : `throw new Error(${JSON.stringify(`native addon ${a.path} is not shipped with this executable`)});`,
    }));
  },
};

async function bundle(entry = ENTRY, outfile = join(work, 'plugin.cjs')) {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    legalComments: 'none',
    keepNames: true,
    minifyWhitespace: true,
    // optional database clients the engine may import lazily; absent from the single executable
    external: ['chdb', 'pg-native', 'bufferutil', 'utf-8-validate'],
    plugins: [nativeBesideExecutable],
    define: { 'process.env.LOGQLSQL_SEA': '"1"' },
  });
  return outfile;
}

function assets() {
  const files = [
    ['@duckdb/node-bindings-linux-x64/duckdb.node', 'duckdb.node'],
    ['@duckdb/node-bindings-linux-x64/libduckdb.so', 'libduckdb.so'],
    ['re2-wasm/build/wasm/re2.wasm', 're2.wasm'],
  ];
  for (const [from, to] of files) {
    let src;
    try {
      src = require.resolve(from);
    } catch {
      src = join(root, 'node_modules', from);
    }
    if (!existsSync(src)) throw new Error(`missing ${from}: run npm ci`);
    copyFileSync(src, join(out, to));
  }
  // the manifest, with create-plugin's placeholders filled, unless the frontend build already wrote a filled one
  const manifest = join(root, 'src', 'plugin.json');
  const target = join(out, 'plugin.json');
  if (existsSync(manifest) && (!existsSync(target) || readFileSync(target, 'utf8').includes('%VERSION%'))) {
    const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
    const today = new Date().toISOString().slice(0, 10);
    writeFileSync(target, readFileSync(manifest, 'utf8').replaceAll('%VERSION%', version).replaceAll('%TODAY%', today));
  }
}

async function main() {
  const t0 = performance.now();
  mkdirSync(out, { recursive: true });
  const main = await bundle();
  log(`bundled ${main} (${(statSync(main).size / 1e6).toFixed(1)} MB)`);
  // server-mode gRPC endpoint for the protocol harness (plain node; loads duckdb.node from dist/ too)
  if (!args.includes('--entry'))
    await bundle(join(root, 'server/grafana/serveMain.ts'), join(out, 'logqlsql-grpc.cjs'));

  const blob = join(work, 'sea-prep.blob');
  const config = join(work, 'sea-config.json');
  writeFileSync(
    config,
    JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, useSnapshot: false }),
  );
  execFileSync(nodeBinary, ['--experimental-sea-config', config], { stdio: ['ignore', 'inherit', 'inherit'] });

  const exe = join(out, EXE);
  rmSync(exe, { force: true });
  copyFileSync(nodeBinary, exe);
  chmodSync(exe, 0o755);
  const before = statSync(exe).size;
  try {
    execFileSync('strip', [exe], { stdio: 'inherit' });
    log(`stripped node ${(before / 1e6).toFixed(0)} → ${(statSync(exe).size / 1e6).toFixed(0)} MB`);
  } catch (e) {
    log(`strip failed (${e.message}); continuing with an unstripped binary`);
  }
  const postject = join(root, 'node_modules', 'postject', 'dist', 'cli.js');
  if (!existsSync(postject)) throw new Error('postject is missing: npm ci (it is a devDependency)');
  try {
    // postject's ELF library warns about every .note section; show its output only when it fails
    execFileSync(process.execPath, [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SENTINEL], {
      stdio: 'pipe',
    });
  } catch (e) {
    process.stderr.write(String(e.stdout ?? '') + String(e.stderr ?? ''));
    throw e;
  }
  assets();
  const size = statSync(exe).size;
  log(`built ${exe} (${(size / 1e6).toFixed(0)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // sanity: a plain run (no Grafana env) must refuse with exit code 1
  try {
    execFileSync(exe, [], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
    throw new Error('the executable did not refuse to run outside Grafana');
  } catch (e) {
    if (e.status !== 1) throw e;
  }
}

main().catch((e) => {
  process.stderr.write(`sea: build failed: ${e?.stack ?? e}\n`);
  process.exit(1);
});
