#!/usr/bin/env node
// Build the Grafana plugin backend and the server/CLI as Node single executable applications (SEA):
//
//   dist/gpx_logqlsql_linux_amd64   node + our bundled plugin entry (server/grafana/main.ts)
//   dist/duckdb.node, dist/libduckdb.so, dist/re2.wasm   native addon and assets, loaded from beside the executable
//   dist/plugin.json                copied from src/plugin.json when the frontend build has not placed it yet
//   build/logqlsql                  node + the CLI (server/cli/main.ts: serve, query, …), with the same native
//                                   files beside it (hard links when possible); what docker-compose runs
//   build/logqlsql-grpc.cjs         the bare server-mode gRPC endpoint (plain node) for the protocol harness
//
// dist/ stays the plugin alone, as create-plugin's; everything else goes to build/ (and build/.sea, the work dir).
//
// Steps: esbuild bundle (CommonJS) → `node --experimental-sea-config` blob → copy the node binary → strip it (before
// injecting: stripping afterwards would cut the blob) → postject the blob into it.
//
//   node scripts/sea/build.mjs [--node PATH] [--out DIR] [--entry FILE] [--name EXE]
//   (--entry/--name build only a test executable into --out, e.g. the fake-engine plugin of the protocol tests)
//
// chDB (546 MB of native code) is not shipped: the executable loads the `chdb` package from a node_modules above
// its own directory when there is one (a checkout), else `chdb:` URLs fail with a message saying so.
//
// The executable needs nothing installed on the host but glibc and libstdc++ (see the launcher for Alpine).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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
const buildDir = join(root, 'build');
const nodeBinary = resolve(opt('--node', process.execPath));
const work = join(buildDir, '.sea');
const EXE = opt('--name', 'gpx_logqlsql_linux_amd64');
const ENTRY = resolve(root, opt('--entry', 'server/grafana/main.ts'));
const CLI_EXE = 'logqlsql';
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

/**
 * `chdb` cannot be inside the executable; in a SEA `require` reaches only built-in modules, but a require made with
 * createRequire() for a real path searches node_modules from there as plain node would.
 */
const chdbFromNodeModules = {
  name: 'chdb-from-node-modules',
  setup(b) {
    b.onResolve({ filter: /^chdb$/ }, (a) => ({ path: a.path, namespace: 'chdb-outside' }));
    b.onLoad({ filter: /.*/, namespace: 'chdb-outside' }, () => ({
      loader: 'js',
      contents: `const { createRequire } = require('node:module');
        try {
          module.exports = createRequire(process.execPath)('chdb');
        } catch (e) {
          throw new Error('chdb: the ClickHouse engine (npm package chdb, 546 MB) is not inside this executable and no node_modules/chdb was found above ' + process.execPath + ' (' + e.message + ')');
        }`,
    }));
  },
};

/**
 * Optional native helpers that ws and pg try to load (bufferutil, utf-8-validate at start-up, pg-native on demand):
 * left external, each attempt made Node warn that a SEA's require() loads only built-in modules. A module that
 * throws is what these packages expect when the helper is not installed.
 */
const optionalNativeAbsent = {
  name: 'optional-native-absent',
  setup(b) {
    b.onResolve({ filter: /^(bufferutil|utf-8-validate|pg-native)$/ }, (a) => ({
      path: a.path,
      namespace: 'optional-absent',
    }));
    b.onLoad({ filter: /.*/, namespace: 'optional-absent' }, (a) => ({
      loader: 'js',
      contents: `throw Object.assign(new Error(${JSON.stringify(`${a.path} is not part of this executable`)}), { code: 'MODULE_NOT_FOUND' });`,
    }));
  },
};

async function bundle(entry, outfile) {
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
    plugins: [nativeBesideExecutable, chdbFromNodeModules, optionalNativeAbsent],
    define: { 'process.env.LOGQLSQL_SEA': '"1"' },
  });
  return outfile;
}

/** Hard link (the 70 MB libduckdb.so is then stored once for dist/ and build/), else copy. */
function place(src, dst) {
  rmSync(dst, { force: true });
  try {
    linkSync(src, dst);
  } catch {
    copyFileSync(src, dst);
  }
}

/** The native addon and assets the executable loads from its own directory. */
function assets(dir) {
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
    place(src, join(dir, to));
  }
}

/** The plugin manifest, with create-plugin's placeholders filled, unless the frontend build already wrote one. */
function manifest(dir) {
  const src = join(root, 'src', 'plugin.json');
  const target = join(dir, 'plugin.json');
  if (existsSync(src) && (!existsSync(target) || readFileSync(target, 'utf8').includes('%VERSION%'))) {
    const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
    const today = new Date().toISOString().slice(0, 10);
    writeFileSync(target, readFileSync(src, 'utf8').replaceAll('%VERSION%', version).replaceAll('%TODAY%', today));
  }
}

/** bundle → SEA blob → stripped copy of node → blob injected. Returns the executable's path. */
async function executable(entry, dir, name) {
  const t0 = performance.now();
  mkdirSync(dir, { recursive: true });
  const main = await bundle(entry, join(work, `${name}.cjs`));
  log(`bundled ${main} (${(statSync(main).size / 1e6).toFixed(1)} MB)`);
  const blob = join(work, `${name}.blob`);
  const config = join(work, `${name}.sea-config.json`);
  writeFileSync(
    config,
    JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, useSnapshot: false }),
  );
  execFileSync(nodeBinary, ['--experimental-sea-config', config], { stdio: ['ignore', 'inherit', 'inherit'] });

  const exe = join(dir, name);
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
  assets(dir);
  log(
    `built ${exe} (${(statSync(exe).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return exe;
}

async function main() {
  const exe = await executable(ENTRY, out, EXE);
  manifest(out);
  // sanity: a plain run (no Grafana env) must refuse with exit code 1
  try {
    execFileSync(exe, [], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
    throw new Error('the executable did not refuse to run outside Grafana');
  } catch (e) {
    if (e.status !== 1) throw e;
  }
  if (args.includes('--entry')) return;

  // server-mode gRPC endpoint for the protocol harness (plain node; loads duckdb.node from build/ too)
  await bundle(join(root, 'server/grafana/serveMain.ts'), join(buildDir, 'logqlsql-grpc.cjs'));
  const cli = await executable(join(root, 'server/cli/main.ts'), buildDir, CLI_EXE);
  // sanity: the CLI answers --version without Node or node_modules around it
  const v = execFileSync(cli, ['--version'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' }, cwd: '/' });
  log(`${cli} --version: ${v.trim()}`);
}

main().catch((e) => {
  process.stderr.write(`sea: build failed: ${e?.stack ?? e}\n`);
  process.exit(1);
});
