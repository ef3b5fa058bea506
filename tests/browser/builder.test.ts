// Browser test of Builder mode and the kick start patterns: the real QueryEditor in headless Chromium, its label and
// value calls answered by a real `logqlsql serve`. Builder edits must produce the expected LogQL, and that LogQL must
// return results from the same server. Writes docs/img/patterns.png and docs/img/builder.png fresh at each run.
//
// Needs /usr/bin/chromium (Debian's `chromium`) and build/logqlsql.cjs (`npm run build`). Without them it skips with
// a warning, except when CI=true, where it fails.

import AxeBuilder from '@axe-core/playwright';
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
const DOCS_IMG = join(ROOT, 'docs/img');

const missing = [
  !existsSync(CHROMIUM) && `${CHROMIUM} (apt-get install -y chromium)`,
  !existsSync(SERVER) && `${SERVER} (npm run build)`,
].filter(Boolean) as string[];
if (missing.length) {
  if (process.env.CI === 'true') {
    throw new Error(`builder browser test: missing ${missing.join(' and ')}`);
  }
  console.warn(`\n*** SKIPPING the builder browser test: missing ${missing.join(' and ')} ***\n`);
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

/** Three streams of JSON request logs over the last half hour. */
async function pushFixture(url: string): Promise<void> {
  const now = BigInt(Date.now()) * 1_000_000n;
  const streams = [
    { app: 'api', env: 'prod', level: 'info' },
    { app: 'api', env: 'prod', level: 'error' },
    { app: 'web', env: 'staging', level: 'info' },
  ].map((labels, s) => ({
    stream: labels,
    values: Array.from({ length: 30 }, (_, i) => [
      String(now - BigInt((i + 1) * 60 + s) * 1_000_000_000n),
      JSON.stringify({ msg: `request ${i}`, status: i % 5 === 0 ? 500 : 200, duration_ms: 10 + i }),
    ]),
  }));
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

describe.skipIf(missing.length > 0)('builder mode and patterns in a real browser', () => {
  let proc: ChildProcess | undefined;
  let page: any;
  let context: any;
  let web: PageServer;
  let upstream = '';
  let profile = '';
  let stderr = '';
  /** the selector the patterns were written for, e.g. {service_name="api"} */
  let stream = '';

  /** Runs LogQL against the server the editor talks to: `$__auto` as 5m, over the last hour. */
  async function run(expr: string): Promise<{ resultType: string; result: any[] }> {
    const end = Date.now() * 1e6;
    const params = new URLSearchParams({
      query: expr.replaceAll('$__auto', '5m'),
      start: String(end - 3600e9),
      end: String(end),
      step: '60',
      limit: '100',
    });
    const res = await fetch(`${upstream}/loki/api/v1/query_range?${params}`);
    const body = (await res.json()) as any;
    if (!res.ok) throw new Error(`${expr}: HTTP ${res.status} ${JSON.stringify(body)}`);
    return body.data;
  }

  const currentQuery = () => page.evaluate(() => (window as any).__query);

  async function waitForExpr(expected: string) {
    await page.waitForFunction((e: string) => (window as any).__query?.expr === e, expected, { timeout: 15_000 });
  }

  const modeToggle = (mode: 'Builder' | 'Code') => ({
    click: () => page.locator(`#query-editor input[type="radio"][title="${mode}"]`).click({ force: true }),
  });

  async function addOperation(name: string) {
    await page.getByTitle('Add operation').click();
    await page.keyboard.type(name, { delay: 10 });
    await page
      .locator('.rc-cascader-menu-item, [role="menuitemcheckbox"], [role="option"]')
      .filter({ hasText: name })
      .first()
      .click();
  }

  beforeAll(async () => {
    mkdirSync(DOCS_IMG, { recursive: true });
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
    const pageDir = mkdtempSync(join(tmpdir(), 'logqlsql-builder-page-'));
    await Promise.all([
      waitReady(upstream, 30_000).then(
        () => pushFixture(upstream),
        (e) => {
          throw new Error(`${e.message}; its stderr: ${stderr.slice(-2000)}`);
        },
      ),
      buildPage(pageDir),
    ]);
    web = await startPageServer(pageDir, upstream);
    const { chromium } = await import('playwright-core');
    profile = mkdtempSync(join(tmpdir(), 'logqlsql-builder-chromium-'));
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

  it('kick start patterns use the database’s first label and value, and the chosen one runs', async () => {
    await page.getByRole('button', { name: 'Kick start your query' }).click();
    const cards = page.getByTestId('query-pattern');
    await cards.first().waitFor({ timeout: 15_000 });
    const texts: string[] = await cards.allTextContents();
    expect(texts.length).toBeGreaterThanOrEqual(10);
    // every pattern uses one real stream: a label the server lists and the first of its values
    const selector = texts[0]!.match(/\{(\w+)="([^"]+)"\}/);
    expect(selector).not.toBeNull();
    const [sel, name, value] = selector!;
    expect(texts.filter((t) => !t.includes(sel))).toEqual([]);
    const labels = (await (await fetch(`${upstream}/loki/api/v1/labels`)).json()) as { data: string[] };
    expect(labels.data).toContain(name);
    const values = (await (await fetch(`${upstream}/loki/api/v1/label/${name}/values`)).json()) as { data: string[] };
    expect(values.data[0]).toBe(value);
    expect(web.log.some((l) => l.path === 'labels' && l.status === 200)).toBe(true);
    expect(web.log.some((l) => l.path === `label/${name}/values` && l.status === 200)).toBe(true);
    stream = sel;
    await page.locator('#query-editor').screenshot({ path: join(DOCS_IMG, 'patterns.png') });
    expect(await axeViolations(page, '[data-testid="query-patterns"]')).toEqual([]);

    await page.getByRole('button', { name: 'Use Parse log lines with JSON parser' }).click();
    await waitForExpr(`${stream} | json | __error__=""`);
    const data = await run((await currentQuery()).expr);
    expect(data.resultType).toBe('streams');
    // | json turns each line's fields into labels: the two api streams' 60 lines, each with its status
    expect(data.result.reduce((n: number, s: any) => n + s.values.length, 0)).toBe(60);
    expect(data.result.every((s: any) => /^(200|500)$/.test(s.stream.status))).toBe(true);
  });

  it('switches to the builder with the query as label filters and operations, kept in the query model', async () => {
    await modeToggle('Builder').click();
    await page.getByTestId('logql-builder').waitFor({ timeout: 15_000 });
    expect((await currentQuery()).editorMode).toBe('builder');
    const builder = page.getByTestId('logql-builder');
    expect(await builder.textContent()).toContain('Json');
    expect(await builder.textContent()).toContain('No pipeline errors');
    expect(await page.getByTestId('builder-raw-query').textContent()).toBe(`${stream} | json | __error__=""`);
  });

  it('builder edits produce the expected LogQL, which returns results', async () => {
    await addOperation('Line contains');
    const text = page.locator('[data-testid="operations.2.wrapper"] input').first();
    await text.fill('request 1');
    await text.press('Enter');
    await waitForExpr(`${stream} | json | __error__="" |= "request 1"`);

    await addOperation('Count over time');
    await waitForExpr(`count_over_time(${stream} | json | __error__="" |= "request 1" [$__auto])`);

    await addOperation('Sum by');
    // the label picker offers the fields the lines yield (detected_fields), here the JSON key `status`
    await page.locator('[data-testid="operations.4.wrapper"] input').first().click();
    await page.keyboard.type('stat', { delay: 10 });
    await page
      .locator('[role="option"]')
      .filter({ hasText: /^status$/ })
      .first()
      .click({ timeout: 15_000 });
    expect(
      web.log.filter((l) => l.path.startsWith('detected')),
      JSON.stringify(web.log),
    ).not.toEqual([]);
    const expected = `sum by (status) (count_over_time(${stream} | json | __error__="" |= "request 1" [$__auto]))`;
    await waitForExpr(expected);
    expect(await page.getByTestId('builder-raw-query').textContent()).toBe(expected);

    const data = await run(expected);
    expect(data.resultType).toBe('matrix');
    expect(data.result.map((s: any) => s.metric.status).sort()).toEqual(['200', '500']);
    // "request 1" and "request 1x": 11 lines in each of the two api streams over the half hour
    const total = data.result.reduce(
      (n: number, s: any) => n + Math.max(...s.values.map((v: [number, string]) => Number(v[1]))),
      0,
    );
    expect(total).toBeGreaterThan(0);
    await page.locator('#query-editor').screenshot({ path: join(DOCS_IMG, 'builder.png') });
    expect(await axeViolations(page, '[data-testid="logql-builder"]')).toEqual([]);
  });

  it('label filter values come from the database', async () => {
    const [, name] = stream.match(/\{(\w+)=/)!;
    const values = (await (await fetch(`${upstream}/loki/api/v1/label/${name}/values`)).json()) as { data: string[] };
    expect(values.data).toContain('web');
    await page.getByTestId('logql-builder').getByTestId('data-testid Select value-input').first().click();
    const option = page.locator('[role="option"]').filter({ hasText: /^web$/ });
    await option.first().click({ timeout: 15_000 });
    await waitForExpr(
      `sum by (status) (count_over_time({${name}="web"} | json | __error__="" |= "request 1" [$__auto]))`,
    );
    expect(web.log.some((l) => l.path === `label/${name}/values` && l.status === 200)).toBe(true);
    const data = await run((await currentQuery()).expr);
    expect(data.result.map((s: any) => s.metric.status).sort()).toEqual(['200', '500']);
  });

  it('joins a second query with an operator', async () => {
    const before: string = (await currentQuery()).expr;
    await addOperation('Binary operation with query');
    await page.getByTestId('nested-query-0').waitFor({ timeout: 15_000 });
    await waitForExpr(`${before} / ${before}`);
    const data = await run(`${before} / ${before}`);
    expect(data.result.length).toBe(2);
    for (const s of data.result) {
      expect(s.values.every((v: [number, string]) => v[1] === '1')).toBe(true);
    }
  });

  it('a query the builder cannot show stays in Code mode with the construct named', async () => {
    await modeToggle('Code').click();
    const editor = page.locator('#query-editor .monaco-editor').first();
    await editor.waitFor({ timeout: 15_000 });
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('vector(1) + sum(rate({app="api"}[5m]))', { delay: 10 });
    await modeToggle('Builder').click();
    const notice = page.getByTestId('builder-notice');
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.textContent()).toContain('`vector(…)`');
    expect(await page.getByTestId('logql-builder').count()).toBe(0);
    expect(await page.locator('#query-editor .monaco-editor').first().textContent()).toContain('vector(1)');
    expect((await currentQuery()).editorMode).toBe('code');
  });

  it('server stayed healthy', () => {
    expect(proc?.exitCode ?? null).toBeNull();
  });
});
