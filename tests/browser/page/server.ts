// The browser test's web server: serves the bundled page and answers the data source's resource calls by forwarding
// them to a running `logqlsql serve` (its Loki API; translate/validate/explain/… on its /api/v1 routes). It also
// serves what Grafana serves under /public: the icon SVGs @grafana/ui loads at run time (Grafana copies them from
// @grafana/ui's dist/public/img/icons into public/build/img/icons) and the Inter / Roboto Mono fonts of its theme
// (Grafana ships rsms.me's files; the @fontsource packages carry the same faces).

import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize } from 'node:path';

const req = createRequire(__filename);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
};

const ICONS = join(dirname(req.resolve('@grafana/ui/package.json')), 'dist/public/img/icons');
const FONTS: Record<string, string> = {
  'inter/Inter-Regular.woff2': '@fontsource/inter/files/inter-latin-400-normal.woff2',
  'inter/Inter-Medium.woff2': '@fontsource/inter/files/inter-latin-500-normal.woff2',
  'inter/Inter-Italic.woff2': '@fontsource/inter/files/inter-latin-400-italic.woff2',
  'inter/Inter-MediumItalic.woff2': '@fontsource/inter/files/inter-latin-500-italic.woff2',
};
const ROBOTO_MONO = '@fontsource/roboto-mono/files/roboto-mono-latin-400-normal.woff2';

/** A file Grafana serves under /public/, from the npm package it comes from; undefined when Grafana has none. */
export function publicFile(path: string): string | undefined {
  const icon = /^\/public\/build\/img\/icons\/((?:unicons|mono|solid|custom)\/[a-z0-9-]+\.svg)$/.exec(path);
  if (icon) return join(ICONS, normalize(icon[1]));
  const font = /^\/public\/fonts\/(.+)$/.exec(path);
  if (font) {
    if (FONTS[font[1]]) return req.resolve(FONTS[font[1]]);
    if (font[1].startsWith('roboto/')) return req.resolve(ROBOTO_MONO);
  }
  return undefined;
}

/** Resource path → the logqlsql server route answering it. */
export function resourceRoute(path: string): string {
  if (path === 'labels') return '/loki/api/v1/labels';
  if (path === 'series') return '/loki/api/v1/series';
  const values = path.match(/^label\/([^/]+)\/values$/);
  if (values) return `/loki/api/v1/label/${values[1]}/values`;
  return `/api/v1/${path}`; // translate, validate, detected_fields
}

export interface PageServer {
  url: string;
  /** resource requests seen, with the upstream status */
  log: Array<{ path: string; status: number }>;
  /** files under /public/ the page asked for that Grafana would serve but we could not (missing icons, fonts) */
  missingPublic: string[];
  close(): Promise<void>;
}

export async function startPageServer(staticDir: string, upstream: string): Promise<PageServer> {
  const log: PageServer['log'] = [];
  const missingPublic: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/public/')) {
      const file = publicFile(url.pathname);
      try {
        if (!file) throw new Error('not a file Grafana serves');
        const data = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(data);
      } catch {
        missingPublic.push(url.pathname);
        res.writeHead(404);
        res.end('not found');
      }
      return;
    }
    // the page runs queries as Grafana would through the data source: here straight on the Loki API
    if (url.pathname.startsWith('/loki/api/v1/')) {
      const up = await fetch(`${upstream}${url.pathname}${url.search}`).catch(() => undefined);
      res.writeHead(up?.status ?? 502, { 'content-type': 'application/json' });
      res.end(up ? Buffer.from(await up.arrayBuffer()) : '{}');
      return;
    }
    const m = url.pathname.match(/^\/api\/datasources\/uid\/[^/]+\/resources\/(.+)$/);
    if (m) {
      const route = resourceRoute(m[1]);
      try {
        const up = await fetch(`${upstream}${route}${url.search}`);
        const body = Buffer.from(await up.arrayBuffer());
        log.push({ path: m[1], status: up.status });
        res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
        res.end(body);
      } catch (e) {
        log.push({ path: m[1], status: 502 });
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: String(e) }));
      }
      return;
    }
    const file = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    try {
      const data = await readFile(join(staticDir, file));
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(data);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    missingPublic,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
