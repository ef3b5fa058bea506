// Bundle the test page (editors + Grafana UI + Monaco) into one script and stylesheet.

import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export async function buildPage(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [resolve(__dirname, 'main.tsx')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome110',
    jsx: 'automatic',
    outfile: join(outDir, 'main.js'),
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    minify: false,
    sourcemap: false,
    logLevel: 'error',
    legalComments: 'none',
  });
  writeFileSync(
    join(outDir, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8"><title>logqlsql editors</title>
<link rel="stylesheet" href="main.css"></head>
<body class="theme-dark"><div id="root"></div>
<script>
  // where Grafana serves its icons and fonts from (the page server maps /public/ to the npm packages)
  window.__grafana_public_path__ = '/public/';
  // Monaco without web workers runs its (small) worker code on the main thread
  self.MonacoEnvironment = { getWorker: function () { return new Worker(URL.createObjectURL(new Blob([''], { type: 'text/javascript' }))); } };
</script>
<script src="main.js"></script></body></html>`,
  );
}
