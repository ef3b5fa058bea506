// Browser test: the query editor and config editor in headless Chromium with Grafana 13's theme, icons and fonts,
// their resource calls answered by a real `logqlsql serve` over HTTP. Types queries and sees completions, an error
// marker, the SQL preview, Explain, hints with their fixes, the query-stats hint, the label browser and the config
// editor; axe finds no serious or critical accessibility violation in either editor. Every screenshot in docs/img
// is written fresh at each run (README and plugin.json show them).
//
// Needs /usr/bin/chromium (Debian's `chromium`) and build/logqlsql.cjs (`npm run build`). Without them it skips with
// a warning, except when CI=true, where it fails.

import AxeBuilder from '@axe-core/playwright';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildPage } from './page/build';
import { startPageServer, type PageServer } from './page/server';

const ROOT = resolve(__dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SERVER = process.env.LOGQLSQL_CJS ?? join(ROOT, 'build/logqlsql.cjs');
const OUT = join(ROOT, 'docs/img');

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
  // a stream mixing JSON and plain lines (parser errors for the __error__ hint), and twelve worker pods (many series
  // for the sum hint)
  streams.push({
    stream: { app: 'legacy', env: 'prod', level: 'info' },
    values: Array.from({ length: 10 }, (_, i) => [
      String(now - BigInt((i + 1) * 60) * 1_000_000_000n),
      i % 2 ? `plain text line ${i}` : JSON.stringify({ msg: `legacy ${i}` }),
    ]),
  });
  for (let p = 0; p < 12; p++) {
    streams.push({
      stream: { app: 'worker', env: 'prod', level: p % 3 ? 'info' : 'warn', pod: `worker-${p}` } as never,
      values: Array.from({ length: 5 }, (_, i) => [
        String(now - BigInt((i + 1) * 90 + p) * 1_000_000_000n),
        `level=info msg="job done" job=${i} took=${10 + i}ms`,
      ]),
    });
  }
  const res = await fetch(`${url}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ streams }),
  });
  if (!res.ok) throw new Error(`push failed: ${res.status} ${await res.text()}`);
}

/** Serious and critical axe violations inside `selector`, one line each. */
async function axeViolations(page: any, selector: string): Promise<string[]> {
  const res = await new AxeBuilder({ page }).include(selector).analyze();
  return res.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

describe('screenshots are listed', () => {
  it('plugin.json names each screenshot this test writes, and README shows them', () => {
    const info = JSON.parse(readFileSync(join(ROOT, 'src/plugin.json'), 'utf8')).info;
    const listed = (info.screenshots as { path: string }[]).map((s) => s.path.replace('img/screenshots/', ''));
    const pngs = (file: string) => readFileSync(file, 'utf8').match(/[a-z-]+\.png/g) ?? [];
    const written = pngs(__filename);
    // every screenshot listed is one a browser test writes (this one or another in tests/browser)
    const byAnyTest = readdirSync(__dirname)
      .filter((f) => f.endsWith('.test.ts'))
      .flatMap((f) => pngs(join(__dirname, f)));
    for (const f of written) expect(listed).toContain(f);
    for (const f of listed) expect(byAnyTest).toContain(f);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const f of written) expect(readme).toContain(`docs/img/${f}`);
    expect(info.links.length).toBeGreaterThan(0);
  });
});

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

  async function runQuery(expr: string) {
    await setEditorText(expr);
    const before = await page.evaluate(() => (window as any).__runs ?? 0);
    await page.keyboard.press('Shift+Enter');
    await page.waitForFunction((n: number) => ((window as any).__runs ?? 0) > n, before);
  }

  const shot = (name: string, selector = '#query-editor') =>
    page.locator(selector).screenshot({ path: join(OUT, name), animations: 'disabled' });

  it('completes label names and values from the database', async () => {
    await setEditorText('{');
    const rows = page.locator('.suggest-widget .monaco-list-row');
    await rows.first().waitFor({ timeout: 15_000 });
    const names = await rows.allTextContents();
    expect(names.join(' ')).toContain('app');
    expect(names.join(' ')).toContain('env');

    await page.keyboard.type('app="', { delay: 20 });
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('.suggest-widget .monaco-list-row')).some((r) =>
          r.textContent?.includes('worker'),
        ),
      null,
      { timeout: 15_000 },
    );
    const values = (await rows.allTextContents()).join(' ');
    expect(values).toContain('api');
    expect(values).toContain('legacy');
    await page.screenshot({ path: join(OUT, 'completion.png'), clip: { x: 0, y: 0, width: 1140, height: 420 } });
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
    await page.keyboard.press('Escape');
    const classes = await page.$$eval('#query-editor .view-line span span', (els: Element[]) =>
      els.map((e) => e.className),
    );
    expect(new Set(classes).size).toBeGreaterThan(2);
  });

  it('marks a broken query at the parser position', async () => {
    await setEditorText('{app="api"} | json | = "x"');
    await page.locator('#query-editor .squiggly-error').first().waitFor({ timeout: 15_000 });
    await expect(page.getByTestId('logql-error').textContent()).resolves.toMatch(/error/i);
    await shot('error-marker.png');
  });

  it('shows the SQL preview once, with one sentence on where the query runs', async () => {
    await setEditorText('sum by (level) (count_over_time({app="api"} |= "request" [5m]))');
    await page.getByText('SQL (duckdb)').click();
    const stmt = page.getByTestId('sql-preview-statements');
    await stmt.waitFor({ timeout: 15_000 });
    const text = (await stmt.textContent()) ?? '';
    expect(text.match(/SELECT/g)?.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/SQL 1:/); // the readable plan (which repeats the SQL) is Explain's job
    expect(text.match(/runs in the database/gi) ?? []).toHaveLength(1);
    await shot('sql-preview.png');
    await page.getByText('SQL (duckdb)').click(); // closed again for the next screenshots
  });

  it('explains each stage and where it runs', async () => {
    await setEditorText('sum by (level) (count_over_time({app="api"} |= "request" | json | status >= 500 [5m]))');
    await page.getByText('Explain', { exact: true }).click();
    const stages = page.getByTestId('explain-stage');
    await stages.first().waitFor({ timeout: 15_000 });
    const texts: string[] = await stages.allTextContents();
    expect(texts[0]).toMatch(/Database.*\{app="api"\}.*read the entries of the streams where app is "api"/);
    expect(texts.find((t) => t.includes('|= "request"'))).toMatch(/^Database.*keep lines containing "request"/);
    expect(texts.join('\n')).toMatch(/sum the series by level/);
    const wheres = await stages.evaluateAll((els: Element[]) => els.map((e) => e.getAttribute('data-where')));
    expect(wheres[0]).toBe('database');
    // the SQL of a stage is one click away
    await stages.nth(1).getByRole('button', { name: 'Show the SQL' }).click();
    expect(await page.getByTestId('explain-sql').first().textContent()).toMatch(/contains\(line|strpos|position/);
    expect(await page.getByTestId('explain-summary').textContent()).toMatch(/Metric query on DuckDB/);
    await shot('explain.png');
    await page.getByText('Explain', { exact: true }).click();
  });

  it('hints from the result fix the query in one click', async () => {
    await runQuery('{app="api"}');
    const fix = page.getByRole('button', { name: 'Add json parser' });
    await fix.waitFor({ timeout: 15_000 });
    await shot('hints.png');
    await fix.click();
    await page.waitForFunction(() => (window as any).__query?.expr === '{app="api"} | json');

    await runQuery('{app="legacy"} | json');
    const noErrors = page.getByRole('button', { name: 'Remove pipeline errors' });
    await noErrors.waitFor({ timeout: 15_000 });
    await noErrors.click();
    await page.waitForFunction(() => (window as any).__query?.expr === '{app="legacy"} | json | __error__=""');

    await runQuery('count_over_time({app="worker"} [5m])');
    const sum = page.getByRole('button', { name: 'Sum by level' });
    await sum.waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('query-hints').textContent()).toMatch(/Many time series results returned \(12\)/);
    await sum.click();
    await page.waitForFunction(
      () => (window as any).__query?.expr === 'sum by (level) (count_over_time({app="worker"} [5m]))',
    );
  });

  it('says how much the query will process before it runs, in the collapsed options row', async () => {
    await setEditorText('{app="api"} |= "request"');
    const options = page.getByTestId('logql-options');
    await page.waitForFunction(
      () =>
        /will process about 40 lines/.test(document.querySelector('[data-testid="logql-options"]')?.textContent ?? ''),
      null,
      { timeout: 15_000 },
    );
    const text = (await options.textContent()) ?? '';
    expect(text).toMatch(/Type: Range.*Line limit: \d+.*Direction: Backward/);
    expect(text).toMatch(/from 2 streams/);
    await shot('query-stats.png');
  });

  it('browses labels, validates the selector and counts its streams', async () => {
    await page.getByRole('button', { name: 'Label browser' }).click();
    const browser = page.getByTestId('label-browser');
    await browser.getByRole('button', { name: 'app' }).click();
    await browser.getByRole('button', { name: 'worker' }).click();
    expect(await page.getByTestId('label-browser-selector').textContent()).toBe('{app="worker"}');
    await browser.getByRole('button', { name: 'Validate selector' }).click();
    await page.getByText('Selector is valid (12 streams found)').waitFor({ timeout: 15_000 });
    await shot('label-browser.png');
    await browser.getByRole('button', { name: 'Close' }).click();
  });

  it('runs the query on Shift+Enter', async () => {
    await setEditorText('{app="web"}');
    const before = await page.evaluate(() => (window as any).__runs ?? 0);
    await page.keyboard.press('Shift+Enter');
    await page.waitForFunction((n: number) => ((window as any).__runs ?? 0) > n, before);
    expect(await page.evaluate(() => (window as any).__query?.expr)).toBe('{app="web"}');
    expect(await page.locator('[data-testid="runs"]').count()).toBe(0); // no debug output on the page
  });

  it('the query editor has no serious accessibility violation', async () => {
    await page.getByText('Explain', { exact: true }).click();
    await page.getByTestId('explain-stage').first().waitFor({ timeout: 15_000 });
    expect(await axeViolations(page, '#query-editor')).toEqual([]);
    await page.getByText('Explain', { exact: true }).click();
  });

  it('renders the config editor: connection, auth and TLS, mapping check, derived fields', async () => {
    const cfg = page.locator('#config-editor');
    await cfg.scrollIntoViewIfNeeded();
    expect(await page.getByTestId('logqlsql-url').textContent()).toBe('postgres://grafana@db.internal:5432/logs');
    // TLS: the CA is configured (a secure field shows as such, with a reset), the mode is verify-ca
    await page.getByTestId('logqlsql-tls-certificates').waitFor();
    expect(await page.locator('#logqlsql-tlsCACert').isDisabled()).toBe(true); // configured: locked until reset
    // the mapping check asks the database through the resource API
    await page.getByRole('button', { name: 'Check mapping' }).click();
    await page.getByText('The mapping fits the database').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('logqlsql-mapping-check').textContent()).toMatch(/native schema.*16 streams/);
    // derived fields: the data source picker shows Grafana's tracing data source, the preview the match
    expect(await cfg.getByText('Tempo').count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Show example log message' }).click();
    expect(await page.getByTestId('derived-fields-preview').textContent()).toMatch(/4bf92f3577b34da6a3ce929d0e0e4736/);
    await shot('config-editor.png', '#config-editor');
    expect(await axeViolations(page, '#config-editor')).toEqual([]);

    await page.getByText('OTel', { exact: true }).click({ force: true });
    await page.getByTestId('logqlsql-mapping-columns').waitFor();
    expect(await page.locator('#logqlsql-table').inputValue()).toBe('otel_logs');
    await page.getByRole('button', { name: 'Check mapping' }).click();
    await page.getByText('The mapping does not fit the database').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('logqlsql-mapping-check').textContent()).toMatch(/otel_logs.*not found/);
  });

  it('Grafana’s icons and fonts were all served', () => {
    expect(web.missingPublic, web.missingPublic.join(', ')).toEqual([]);
  });

  it('server stayed healthy', () => {
    expect(proc?.exitCode ?? null).toBeNull();
    if (stderr.includes('"level":50')) console.warn(stderr.slice(-2000));
  });
});
