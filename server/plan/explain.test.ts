// Explain on every engine: each stage is placed where the engine really runs it. The placement is checked against
// what executing the same query reports (its TypeScript stages), and the SQL shown for a stage in the database is
// part of a statement the engine plans.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../engine/engine';
import { handleResource } from '../grafana/resources';
import { parseSettings } from '../grafana/settings';
import { enginesToTest } from '../../tests/engines';
import { loadCases } from '../../tests/conformance/cases';
import { explainQuery, type Explanation } from './explain';

const engines = await enginesToTest();

const NOW = BigInt(Date.now()) * 1_000_000n;
const lines = (n: number, f: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => ({ ts: NOW - BigInt(n - i) * 1_000_000_000n, line: f(i) }));

function whereOf(x: Explanation, kind: string, text?: string) {
  const s = x.stages.find((st) => st.kind === kind && (text === undefined || st.text.includes(text)));
  expect(s, `${kind} ${text ?? ''} in ${JSON.stringify(x.stages.map((st) => st.text))}`).toBeDefined();
  return s!;
}

describe.each(engines)('explain on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    await engine.push([
      {
        labels: { app: 'api', env: 'prod' },
        entries: lines(30, (i) => `level=${i % 3 ? 'info' : 'error'} status=${200 + (i % 4) * 100} msg="req ${i}"`),
      },
      {
        labels: { app: 'web', env: 'prod' },
        entries: lines(20, (i) => JSON.stringify({ status: 200 + i, path: `/p${i % 2}` })),
      },
    ]);
  });
  afterAll(async () => {
    await engine?.close();
  });

  it.skipIf(!!skip)('a log query: selector and plain line filter in SQL, parser and format in TypeScript', async () => {
    const q = '{app="web"} |= "status" | json | status >= 210 | line_format "{{.path}}"';
    const x = await explainQuery(engine, q);
    expect(x.type).toBe('logs');
    expect(x.dialect).toBe(te.name);
    expect(x.stages.map((s) => s.kind)).toEqual([
      'selector',
      'lineFilter',
      'parser',
      'labelFilter',
      'format',
      'output',
    ]);
    const sel = whereOf(x, 'selector');
    expect(sel.where).toBe('database');
    expect(sel.sql?.text).toMatch(/SELECT/);
    expect(sel.text).toBe('{app="web"}');
    const lf = whereOf(x, 'lineFilter');
    expect(lf.where).toBe('database');
    expect(lf.sql?.params).toEqual(['status']);
    expect(x.statements[lf.statement!].text).toContain(lf.sql!.text.replace(/\$1|\{p1/, '').slice(0, 8));
    const parser = whereOf(x, 'parser');
    expect(parser.where).toBe('typescript');
    expect(parser.reason).toMatch(/only line filters go into its SQL: json runs on the lines the database returns/);
    expect(whereOf(x, 'format').where).toBe('typescript');
    expect(whereOf(x, 'labelFilter').description).toBe('keep lines where status >= 210 (as a number)');
    // what execution reports agrees: the same stages ran in TypeScript
    const res = await engine.query({
      query: q,
      start: NOW - 3_600_000_000_000n,
      end: NOW + 1n,
      instant: false,
      limit: 100,
      direction: 'backward',
    });
    expect(res.stats.tsStages).toContain('json runs in TypeScript');
    expect(res.data.result.length).toBeGreaterThan(0);
  });

  it.skipIf(!!skip)(
    'a regex line filter runs where the dialect can: RE2 engines in SQL, PostgreSQL in TypeScript',
    async () => {
      const x = await explainQuery(engine, 'sum(count_over_time({app="api"} |~ "status=[45]00" [1m])) / 2');
      const lf = whereOf(x, 'lineFilter');
      const range = whereOf(x, 'range');
      if (te.name === 'postgres') {
        expect(lf.where).toBe('typescript');
        expect(lf.reason).toMatch(/not RE2/);
        expect(range.where).toBe('typescript');
        expect(range.reason).toMatch(/not RE2/);
      } else {
        expect(lf.where).toBe('database');
        expect(lf.sql?.text).toMatch(/regexp_matches|match\(/);
        expect(range.where).toBe('database');
        expect(range.sql?.text).toMatch(/GROUP BY/);
      }
      expect(whereOf(x, 'scalar').description).toBe('the number 2');
      const bin = whereOf(x, 'binary');
      expect(bin.where).toBe('typescript');
      expect(bin.depth).toBe(0);
      expect(range.depth).toBe(2);
    },
  );

  it.skipIf(!!skip)('parsers in SQL where the dialect has RE2, with PostgreSQL’s named reason otherwise', async () => {
    const q = 'sum by (level) (count_over_time({app="api"} | logfmt | level="error" [5m]))';
    const x = await explainQuery(engine, q);
    const parser = whereOf(x, 'parser');
    const res = await engine.query({
      query: q,
      start: NOW - 600_000_000_000n,
      end: NOW,
      step: 60_000_000_000n,
      instant: false,
      limit: 100,
      direction: 'backward',
    });
    const scanned = res.stats.tsStages.includes("count_over_time over the pipeline's samples runs in TypeScript");
    expect(whereOf(x, 'range').where).toBe(scanned ? 'typescript' : 'database');
    if (te.name === 'postgres') {
      expect(parser.where).toBe('typescript');
      expect(parser.reason).toMatch(/POSIX, not RE2/);
      expect(whereOf(x, 'aggregation').where).toBe('typescript');
    } else {
      expect(parser.where).toBe('database');
      expect(whereOf(x, 'aggregation').where).toBe('both');
    }
  });

  it.skipIf(!!skip)('every conformance query explains, each stage outside the database with a reason', async () => {
    const queries = [
      ...new Set(loadCases().flatMap((c) => (c.status === 200 && c.params.query ? [c.params.query] : []))),
    ];
    expect(queries.length).toBeGreaterThan(80);
    let inDatabase = 0;
    for (const q of queries) {
      const x = await explainQuery(engine, q);
      expect(x.stages.length, q).toBeGreaterThan(0);
      for (const s of x.stages) {
        if (s.where === 'database') inDatabase++;
        else expect(s.reason, `${q}: ${s.text}`).toBeTruthy();
        if (s.statement !== undefined) expect(x.statements[s.statement], q).toBeDefined();
      }
    }
    expect(inDatabase).toBeGreaterThan(100);
  });

  it.skipIf(!!skip)('names the rule a range aggregation misses', async () => {
    const conv = await explainQuery(
      engine,
      'sum by (app) (sum_over_time({app="web"} | json | unwrap bytes(d) | d > 1 [5m]))',
    );
    expect(whereOf(conv, 'range').reason).toMatch(
      te.name === 'postgres'
        ? /POSIX, not RE2|converts values/
        : /label filters after unwrap \(other than __error__=""\) run in TypeScript/,
    );
    expect(whereOf(conv, 'unwrap').where).toBe('typescript');
    const counter = await explainQuery(engine, 'rate_counter({app="web"} | json | unwrap status [5m])');
    expect(whereOf(counter, 'range').reason).toMatch(/rate_counter over unwrapped values is computed in TypeScript/);
  });

  it.skipIf(!!skip)('unwrap, range function and binary operation in words', async () => {
    const x = await explainQuery(
      engine,
      'max_over_time({app="web"} | json | unwrap status [10m] offset 1m) by (path) > bool 250',
    );
    expect(whereOf(x, 'unwrap').description).toMatch(/value of label status/);
    expect(whereOf(x, 'range').description).toMatch(/10m window .* shifted back by 1m, then by \(path\)/);
    expect(whereOf(x, 'binary').description).toMatch(/compare with > \(bool: 0 or 1\)/);
  });

  it.skipIf(!!skip)(
    'served as a resource (the same handler for gRPC CallResource and HTTP /api/v1/explain)',
    async () => {
      const config = parseSettings({ jsonData: '{}' });
      const q = encodeURIComponent('{app="api"} |= "x"');
      const ok = await handleResource(engine, config, {
        method: 'GET',
        path: 'explain',
        url: `explain?query=${q}&dialect=postgres`,
      });
      expect(ok.status).toBe(200);
      const body = JSON.parse(ok.body.toString()) as { data: Explanation };
      expect(body.data.dialect).toBe('postgres');
      expect(body.data.stages[1]).toMatchObject({ kind: 'lineFilter', where: 'database' });
      const bad = await handleResource(engine, config, {
        method: 'GET',
        path: 'explain',
        url: 'explain?query=%7Bapp%3D',
      });
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body.toString()).error).toMatch(/parse error/);
    },
  );
});
