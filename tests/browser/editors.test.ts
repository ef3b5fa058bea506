// Browser test: the query editor and config editor in headless Chromium, their resource calls answered by a real
// `logqlsql serve` over HTTP. Types a query and sees completions, an error marker on a broken query and the SQL
// preview; saves screenshots under test-results/browser/.
//
// Needs /usr/bin/chromium (Debian's `chromium`) and build/logqlsql.cjs (`npm run build`). Without them it skips with
// a warning, except when CI=true, where it fails.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildPage } from './page/build';
import { startPageServer, type PageServer } from './page/server';

const ROOT = resolve(__dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SERVER = process.env.LOGQLSQL_CJS ?? join(ROOT, 'build/logqlsql.cjs');
const OUT = join(ROOT, 'test-results/browser');

const missing = [
  !existsSync(CHROMIUM) && `${CHROMIUM} (apt-get install -y chromium)`,
  !existsSync(SERVER) && `${SERVER} (npm run build)`,
].filter(Boolean) as string[];
if (missing.length) {
  if (process.env.CI === 'true') {
    throw new Error(`browser test: missing ${missing.join(' and ')}`);
  }
  console.warn(`\n*** SKIPPING the browser test: missing ${missing.join(' and ')} ***\n`);
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

async function waitReady(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(`${url}/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`logqlsql did not become ready at ${url}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function pushFixture(url: string): Promise<void> {
  const now = BigInt(Date.now()) * 1_000_000n;
  const streams = [
    { app: 'api', env: 'prod', level: 'info' },
    { app: 'api', env: 'prod', level: 'error' },
    { app: 'web', env: 'staging', level: 'info' },
  ].map((labels, s) => ({
    stream: labels,
    values: Array.from({ length: 20 }, (_, i) => [
      String(now - BigInt((i + 1) * 60 + s) * 1_000_000_000n),
      JSON.stringify({
        msg: `request ${i}`,
        status: i % 5 === 0 ? 500 : 200,
        duration_ms: 10 + i,
        trace_id: `t${s}${i}`,
      }),
    ]),
  }));
  const res = await fetch(`${url}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ streams }),
  });
  if (!res.ok) throw new Error(`push failed: ${res.status} ${await res.text()}`);
}

describe.skipIf(missing.length > 0)('editors in a real browser', () => {
  let proc: ChildProcess | undefined;
  let page: any;
  let context: any;
  let web: PageServer;
  let upstream = '';
  let profile = '';
  let stderr = '';
  const translateAvailable = { value: false };

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const port = await freePort();
    upstream = `http://127.0.0.1:${port}`;
    proc = spawn(process.execPath, [SERVER, 'serve', '--db', 'duckdb::memory:', '--listen', `127.0.0.1:${port}`], {
      cwd: ROOT,
      // the CLI does not start under vitest (it checks VITEST): give it a clean environment
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST'))),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stderr?.on('data', (d) => (stderr += String(d)));
    proc.stdout?.on('data', (d) => (stderr += String(d)));
    proc.on('exit', (code) => (stderr += `\n[exited with ${code}]`));
    const pageDir = mkdtempSync(join(tmpdir(), 'logqlsql-page-'));
    await Promise.all([
      waitReady(upstream, 30_000).then(
        () => pushFixture(upstream),
        (e) => {
          throw new Error(`${e.message}; its stderr: ${stderr.slice(-2000)}`);
        },
      ),
      buildPage(pageDir),
    ]);
    const probe = await fetch(`${upstream}/api/v1/translate?query=${encodeURIComponent('{app="api"}')}&dialect=duckdb`);
    translateAvailable.value = probe.ok;
    if (!probe.ok) {
      console.warn(
        `*** logqlsql has no /api/v1/translate (HTTP ${probe.status}): the SQL preview shows the error instead ***`,
      );
    }
    web = await startPageServer(pageDir, upstream);
    const { chromium } = await import('playwright-core');
    profile = mkdtempSync(join(tmpdir(), 'logqlsql-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1200, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e: Error) => console.warn('page error:', e.message));
    await page.goto(web.url);
    await page.waitForSelector('#query-editor .monaco-editor', { timeout: 60_000 });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await web?.close();
    proc?.kill('SIGTERM');
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function setEditorText(text: string) {
    const editor = page.locator('#query-editor .monaco-editor').first();
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    if (text) await page.keyboard.type(text, { delay: 15 });
  }

  it('completes label names and values from the database', async () => {
    await setEditorText('{');
    const rows = page.locator('.suggest-widget .monaco-list-row');
    await rows.first().waitFor({ timeout: 15_000 });
    const names = await rows.allTextContents();
    expect(names.join(' ')).toContain('app');
    expect(names.join(' ')).toContain('env');
    await page.screenshot({ path: join(OUT, '01-label-names.png') });

    await page.keyboard.type('app="', { delay: 20 });
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('.suggest-widget .monaco-list-row')).some((r) =>
          r.textContent?.includes('web'),
        ),
      null,
      { timeout: 15_000 },
    );
    const values = (await rows.allTextContents()).join(' ');
    expect(values).toContain('api');
    expect(values).toContain('web');
    await page.screenshot({ path: join(OUT, '02-label-values.png') });
    await page.keyboard.press('Escape');
    expect(web.log.some((l) => l.path === 'labels' && l.status === 200)).toBe(true);
    expect(web.log.some((l) => l.path === 'label/app/values' && l.status === 200)).toBe(true);
  });

  it('offers parsers and operators after a selector, and highlights LogQL', async () => {
    await setEditorText('{app="api"} ');
    await page.keyboard.press('Control+Space');
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('.suggest-widget .monaco-list-row')).some((r) =>
          r.textContent?.includes('json'),
        ),
      null,
      { timeout: 15_000 },
    );
    const items = (await page.locator('.suggest-widget .monaco-list-row').allTextContents()).join(' ');
    expect(items).toContain('|=');
    expect(items).toContain('| logfmt');
    await page.screenshot({ path: join(OUT, '03-pipeline-completion.png') });
    await page.keyboard.press('Escape');
    // highlighting: the selector's label and string get distinct token classes
    const classes = await page.$$eval('#query-editor .view-line span span', (els: Element[]) =>
      els.map((e) => e.className),
    );
    expect(new Set(classes).size).toBeGreaterThan(2);
  });

  it('marks a broken query at the parser position', async () => {
    await setEditorText('{app="api"} | json | = "x"');
    await page.locator('#query-editor .squiggly-error').first().waitFor({ timeout: 15_000 });
    await expect(page.getByTestId('logql-error').textContent()).resolves.toMatch(/error/i);
    await page.screenshot({ path: join(OUT, '04-error-marker.png') });
  });

  it('shows the SQL preview', async () => {
    await setEditorText('sum by (level) (count_over_time({app="api"} |= "request" [5m]))');
    await page.getByText('SQL (duckdb)').click();
    if (translateAvailable.value) {
      const stmt = page.getByTestId('sql-preview-statements');
      await stmt.waitFor({ timeout: 15_000 });
      expect((await stmt.textContent()) ?? '').toMatch(/SELECT/i);
    } else {
      await page.getByTestId('sql-preview-error').waitFor({ timeout: 15_000 });
    }
    await page.locator('#query-editor').screenshot({ path: join(OUT, '05-sql-preview.png') });
  });

  it('runs the query on Shift+Enter', async () => {
    await setEditorText('{app="web"}');
    const before = await page.evaluate(() => (window as any).__runs ?? 0);
    await page.keyboard.press('Shift+Enter');
    await page.waitForFunction((n: number) => ((window as any).__runs ?? 0) > n, before);
    expect(await page.evaluate(() => (window as any).__query?.expr)).toBe('{app="web"}');
  });

  it('renders the config editor', async () => {
    const cfg = page.locator('#config-editor');
    await cfg.scrollIntoViewIfNeeded();
    expect(await page.getByTestId('logqlsql-url').textContent()).toBe('postgres://grafana@db.internal:5432/logs');
    await page.getByText('OTel', { exact: true }).click({ force: true });
    await page.getByTestId('logqlsql-mapping-columns').waitFor();
    expect(await page.locator('#logqlsql-table').inputValue()).toBe('otel_logs');
    await cfg.screenshot({ path: join(OUT, '06-config-editor.png') });
  });

  it('server stayed healthy', () => {
    expect(proc?.exitCode ?? null).toBeNull();
    if (stderr.includes('"level":50')) console.warn(stderr.slice(-2000));
  });
});
