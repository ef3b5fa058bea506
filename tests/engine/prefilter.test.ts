// Label filters on `| json` fields pre-filter rows in SQL (plan/prefilter.ts). The pre-filter may only ever keep too
// much: every answer must equal the answer without it, on lines built to confuse it — nested objects that flatten to
// the same label, keys that sanitise to it, numbers written as strings or with trailing zeros, invalid JSON, a field
// that is also a stream label, structured metadata.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../server/engine/engine';
import { execContext } from './context';
import { runLogQuery } from '../../server/engine/logQuery';
import { parse } from '../../server/logql/check';
import type { LogExpr } from '../../server/logql/ast';
import type { PushStream } from '../../server/engine/types';
import { enginesToTest } from '../engines';
import { at, S, T0 } from './fixture';

const engines = await enginesToTest();

const LINES = [
  '{"status":500,"level":"error","latency_ms":120}',
  '{"status":"503","level":"warn","latency_ms":"80"}',
  '{"status":200,"level":"info","latency":{"ms":900}}',
  '{"status":404,"latency-ms":700,"level":"debug"}',
  '{"status":1.50,"level":"x","latency_ms":1e3}',
  '{"status":null,"level":null}',
  '{"status":"abc","level":"error"}',
  '{"status":500,"level":"error"',
  'not json at all status=500',
  '{"status":[500],"level":{"a":"error"}}',
  '{"status":201,"app":"other","host":"h-1"}',
  '{"level":"error","status":500,"latency.ms":5}',
  '{"latency_ms":2,"latency":{"ms":3}}',
  // text the database converts to a number but Go's ParseFloat rejects (Loki keeps these lines with an error)
  '{"status":" 600","level":" error"}',
  '{"status":"6_00","level":"error "}',
  '{"status":"600\\t","latency_ms":"1_0"}',
];

const DATA: PushStream[] = [
  { labels: { app: 'api', host: 'h-1' }, entries: LINES.map((line, i) => ({ ts: at(i + 1), line })) },
  {
    labels: { app: 'api', host: 'h-2' },
    entries: LINES.map((line, i) => ({ ts: at(i + 1), line, metadata: i % 2 ? { level: 'meta' } : undefined })),
  },
];

/** query → the entries it keeps, as `host:index in LINES` (lines with a parse or conversion error are kept with
 *  __error__, as Loki keeps them; structured metadata `level` on h-2's odd lines shadows the json field) */
const KEPT: Record<string, string> = {
  '{app="api"} | json | status >= 500':
    'h-1:0 h-1:1 h-1:6 h-1:7 h-1:11 h-1:13 h-1:14 h-1:15 h-2:0 h-2:1 h-2:6 h-2:7 h-2:11 h-2:13 h-2:14 h-2:15',
  '{app="api"} | json | status = 500':
    'h-1:0 h-1:6 h-1:7 h-1:11 h-1:13 h-1:14 h-1:15 h-2:0 h-2:6 h-2:7 h-2:11 h-2:13 h-2:14 h-2:15',
  '{app="api"} | json | status != 200':
    'h-1:0 h-1:1 h-1:3 h-1:4 h-1:6 h-1:7 h-1:10 h-1:11 h-1:13 h-1:14 h-1:15 h-2:0 h-2:1 h-2:3 h-2:4 h-2:6 h-2:7 h-2:10 h-2:11 h-2:13 h-2:14 h-2:15',
  '{app="api"} | json | level = "error"': 'h-1:0 h-1:6 h-1:7 h-1:11 h-2:0 h-2:6',
  '{app="api"} | json | level != "error"':
    'h-1:1 h-1:2 h-1:3 h-1:4 h-1:5 h-1:8 h-1:9 h-1:10 h-1:12 h-1:13 h-1:14 h-1:15 h-2:1 h-2:2 h-2:3 h-2:4 h-2:5 h-2:7 h-2:8 h-2:9 h-2:10 h-2:11 h-2:12 h-2:13 h-2:14 h-2:15',
  // Loki tests `err.*` as an unanchored substring (its label regex simplification): " error" matches
  '{app="api"} | json | level =~ "err.*|warn"': 'h-1:0 h-1:1 h-1:6 h-1:7 h-1:11 h-1:13 h-1:14 h-2:0 h-2:6 h-2:14',
  '{app="api"} | json | level !~ "err.*"':
    'h-1:1 h-1:2 h-1:3 h-1:4 h-1:5 h-1:8 h-1:9 h-1:10 h-1:12 h-1:15 h-2:1 h-2:2 h-2:3 h-2:4 h-2:5 h-2:7 h-2:8 h-2:9 h-2:10 h-2:11 h-2:12 h-2:13 h-2:15',
  '{app="api"} | json | level = ""': 'h-1:5 h-1:8 h-1:9 h-1:10 h-1:12 h-1:15 h-2:8 h-2:10 h-2:12',
  '{app="api"} | json | latency_ms > 100': 'h-1:0 h-1:2 h-1:3 h-1:4 h-1:15 h-2:0 h-2:2 h-2:3 h-2:4 h-2:15',
  '{app="api"} | json | latency_ms < 100 or level = "x"':
    'h-1:1 h-1:4 h-1:11 h-1:12 h-1:15 h-2:1 h-2:4 h-2:11 h-2:12 h-2:15',
  '{app="api"} | json | host = "h-1"':
    'h-1:0 h-1:1 h-1:2 h-1:3 h-1:4 h-1:5 h-1:6 h-1:7 h-1:8 h-1:9 h-1:10 h-1:11 h-1:12 h-1:13 h-1:14 h-1:15',
  '{app="api"} | json | status > 1 and status < 2': 'h-1:4 h-1:6 h-1:13 h-1:14 h-1:15 h-2:4 h-2:6 h-2:13 h-2:14 h-2:15',
  '{app="api"} | json | __error__ = "" | status >= 200':
    'h-1:0 h-1:1 h-1:2 h-1:3 h-1:6 h-1:10 h-1:11 h-1:13 h-1:14 h-1:15 h-2:0 h-2:1 h-2:2 h-2:3 h-2:6 h-2:10 h-2:11 h-2:13 h-2:14 h-2:15',
  // a number's text as written in the line: the database's rendering (1.5) must not decide a string comparison
  '{app="api"} | json | status = "1.50"': 'h-1:4 h-2:4',
  '{app="api"} | json | level = " error"': 'h-1:13',
  '{app="api"} | json | level = "error" | line_format "{{.status}}"': 'h-1:0 h-1:6 h-1:7 h-1:11 h-2:0 h-2:6',
};
const QUERIES = Object.keys(KEPT);

describe.each(engines)('json pre-filters never change answers on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    await engine.push(
      DATA.map((s) => ({ ...s, entries: s.entries.map(({ metadata, ...e }) => (metadata ? { ...e, metadata } : e)) })),
    );
  });
  afterAll(async () => engine?.close());

  const run = async (query: string, pushdown: boolean) => {
    const ctx = execContext(engine, query, pushdown);
    const res = await runLogQuery(ctx, {
      expr: parse(query) as LogExpr,
      from: T0,
      to: at(60),
      limit: 1000,
      direction: 'forward',
    });
    const flat = res.streams
      .flatMap((s) => s.entries.map((e) => `${JSON.stringify(s.labels)} ${e.ts} ${e.line}`))
      .sort();
    const kept = res.streams
      .flatMap((s) => s.entries.map((e) => `${s.labels.host}:${Number((e.ts - T0) / S) - 1}`))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    return { flat, kept: kept.join(' '), stats: ctx.stats };
  };

  for (const query of QUERIES) {
    it.skipIf(!!skip)(query, async () => {
      const pre = await run(query, true);
      const ref = await run(query, false);
      expect(pre.flat).toEqual(ref.flat);
      expect(pre.kept).toBe(KEPT[query]);
    });
  }

  it.skipIf(!!skip)('the pre-filter is used where the engine can express it, and reads fewer rows', async () => {
    const query = '{app="api"} | json | status >= 500';
    const pre = await run(query, true);
    const ref = await run(query, false);
    expect(ref.stats.rowsScanned).toBe(2 * LINES.length);
    if (engine.dialect.jsonProbe) {
      expect(pre.stats.tsStages).toContain('label filters on json fields are pre-filtered in SQL');
      expect(pre.stats.rowsScanned).toBeLessThan(ref.stats.rowsScanned);
      expect(pre.stats.rowsScanned).toBeGreaterThanOrEqual(KEPT[query]!.split(' ').length);
    } else {
      // PostgreSQL: no RE2 regexes, so no pre-filter; every row reaches TypeScript and the answer is still Loki's
      expect(te.name).toBe('postgres');
      expect(pre.stats.tsStages.join('; ')).not.toMatch(/pre-filtered in SQL/);
      expect(pre.stats.tsStages).toContain('json runs in TypeScript');
      expect(pre.stats.rowsScanned).toBe(ref.stats.rowsScanned);
    }
  });
});
