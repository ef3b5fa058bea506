// The browser test's web server: serves the bundled page and answers the data source's resource calls by forwarding
// them to a running `logqlsql serve` (its Loki API; translate/validate/detected_fields on its /api/v1 routes).

import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
};

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
  close(): Promise<void>;
}

export async function startPageServer(staticDir: string, upstream: string): Promise<PageServer> {
  const log: PageServer['log'] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
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
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
