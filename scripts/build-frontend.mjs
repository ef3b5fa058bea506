#!/usr/bin/env node
// Builds the Grafana plugin frontend: dist/module.js as an AMD module (what Grafana's SystemJS loader expects, like
// create-plugin's webpack `libraryTarget: 'amd'`), with Grafana's shared dependencies as externals, plus plugin.json,
// README, LICENSE and img/ copied into dist/.
//
//   node scripts/build-frontend.mjs            production build (minified, with a source map)
//   node scripts/build-frontend.mjs --dev      unminified
//   --outdir DIR                               write somewhere else than dist/ (tests)

import { build } from 'esbuild';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIdx = args.indexOf('--outdir');
const dist = outIdx >= 0 ? resolve(args[outIdx + 1]) : join(root, 'dist');
const dev = args.includes('--dev');

/** Modules Grafana provides to plugins at runtime (its SystemJS shared dependencies). */
export const EXTERNALS = [
  '@grafana/data',
  '@grafana/ui',
  '@grafana/runtime',
  '@emotion/css',
  '@emotion/react',
  'react',
  'react-dom',
  'rxjs',
  'lodash',
  'moment',
  'jquery',
  'i18next',
];

mkdirSync(dist, { recursive: true });

const result = await build({
  entryPoints: [join(root, 'src/module.ts')],
  bundle: true,
  format: 'cjs',
  platform: 'browser',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  minify: !dev,
  sourcemap: dev ? false : 'external',
  write: false,
  outfile: join(dist, 'module.js'),
  external: EXTERNALS,
  define: { 'process.env.NODE_ENV': JSON.stringify(dev ? 'development' : 'production') },
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  plugins: [
    {
      // `react` is external, and esbuild would make `react/jsx-runtime` external with it; Grafana does not share the
      // JSX runtime with every version, so bundle it (it requires the shared `react`).
      name: 'bundle-jsx-runtime',
      setup(b) {
        b.onResolve({ filter: /^react\/jsx(-dev)?-runtime$/ }, (args) => ({
          path: createRequire(join(root, 'package.json')).resolve(args.path),
        }));
      },
    },
  ],
});

const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
const required = [...new Set([...js.text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]))];
const unknown = required.filter((r) => !EXTERNALS.includes(r));
if (unknown.length) {
  throw new Error(`build-frontend: the bundle requires modules Grafana does not share: ${unknown.join(', ')}`);
}
const used = EXTERNALS.filter((e) => required.includes(e));
// AMD wrapper: Grafana calls define's factory with the shared modules; the CommonJS bundle's require() reads them.
const amd =
  `define(${JSON.stringify(used)}, function(${used.map((_, i) => `__d${i}`).join(', ')}) {\n` +
  `var __deps = {${used.map((e, i) => `${JSON.stringify(e)}: __d${i}`).join(', ')}};\n` +
  `var require = function (n) { if (Object.prototype.hasOwnProperty.call(__deps, n)) { return __deps[n]; } throw new Error('logqlsql-datasource: missing shared module ' + n); };\n` +
  `var module = { exports: {} }; var exports = module.exports;\n` +
  js.text +
  `\nreturn module.exports;\n});\n` +
  (map ? `//# sourceMappingURL=module.js.map\n` : '');
writeFileSync(
  join(dist, 'module.js'),
  amd.replace(/\/\/# sourceMappingURL=module\.js\.map\n(?=[\s\S]*\/\/# sourceMappingURL)/, ''),
);
if (map) {
  // the wrapper adds 4 lines before the bundle
  const m = JSON.parse(map.text);
  m.mappings = ';;;;' + m.mappings;
  writeFileSync(join(dist, 'module.js.map'), JSON.stringify(m));
}

// static files
const pluginJson = join(root, 'src/plugin.json');
if (existsSync(pluginJson)) {
  const pj = JSON.parse(readFileSync(pluginJson, 'utf8'));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  // the same substitutions create-plugin makes
  const text = JSON.stringify(pj, null, 2)
    .replace(/%VERSION%/g, pkg.version)
    .replace(/%TODAY%/g, new Date().toISOString().slice(0, 10));
  writeFileSync(join(dist, 'plugin.json'), text + '\n');
} else {
  console.warn('build-frontend: src/plugin.json is missing; dist/plugin.json not written');
}
for (const f of ['README.md', 'LICENSE', 'CHANGELOG.md']) {
  if (existsSync(join(root, f))) {
    copyFileSync(join(root, f), join(dist, f));
  }
}
if (existsSync(join(root, 'src/img'))) {
  cpSync(join(root, 'src/img'), join(dist, 'img'), { recursive: true });
}
// plugin.json's info.screenshots (the plugin catalog shows them) are the browser test's docs/img
if (existsSync(join(root, 'docs/img'))) {
  cpSync(join(root, 'docs/img'), join(dist, 'img/screenshots'), { recursive: true });
}
const kb = (js.text.length / 1024).toFixed(0);
console.log(`build-frontend: dist/module.js (${kb} KiB, AMD; shared: ${used.join(', ')})`);
