// Other spellings of a JSON label (sql/jsonSpellings.ts). The ingester records per stream the names its JSON lines
// give other than from one plain top-level key; SQL tests a line's text for other spellings only on streams whose
// set holds the name (or is unknown). The answers must stay those of the TypeScript pipeline (Loki's reference) on
// streams that hold such lines, on streams that never did, and on a stream that gains one in a later push.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/engine/engine';
import type { LogExpr, MetricExpr } from '../../server/logql/ast';
import { execContext } from './context';
import { runLogQuery } from '../../server/engine/logQuery';
import { runMetricQuery } from '../../server/engine/metricQuery';
import { parse } from '../../server/logql/check';
import { stepGrid } from '../../server/eval/steps';
import { expectSameSeries } from './sameSeries';
import { enginesToTest } from '../engines';
import { MAX_JSON_NAMES, otherSpellings, unionNames } from '../../server/sql/jsonSpellings';
import { ensureNativeSchema } from '../../server/schema/native';

const spelled = (...lines: string[]) => {
  const into = new Set<string>();
  for (const l of lines) otherSpellings(l, into);
  return [...into].sort();
};

describe('otherSpellings: the names a line gives other than from one plain top-level key', () => {
  it('plain keys give none, whatever the values hold', () => {
    expect(spelled('{"status":500,"latency_ms":1.5,"msg":"a \\"status\\": 7 {\\"x\\":1}","tags":[{"a-b":1}]}')).toEqual(
      [],
    );
    expect(spelled(' {"a":1}', '{}', 'not json', '[{"a b":1}]', '')).toEqual([]);
  });
  it('sanitised, padded, escaped and digit-led keys give their sanitised name', () => {
    expect(spelled('{"http.version":"1.1","trace-id":"x"," status":7,"5xx":1}')).toEqual([
      '_5xx',
      'http_version',
      'status',
      'trace_id',
    ]);
    expect(spelled('{"l\\u0061tency_ms":5}')).toEqual(['latency_ms']);
  });
  it('nested keys give their joined names, at every depth (objects too: a superset is fine)', () => {
    expect(spelled('{"user":{"id":"u1","geo":{"region":"eu"}},"latency":{"ms":3}}')).toEqual([
      'latency_ms',
      'user_geo',
      'user_geo_region',
      'user_id',
    ]);
    // a blank part is skipped: `{"a":{" ":1}}` gives `a`, as the top-level key would
    expect(spelled('{"a":{" ":{"b":1}}}')).toEqual(['a', 'a_b']);
  });
  it('a plain key written again after a value that makes no label gives its name', () => {
    // Loki keeps the first value it extracts, as the engines' JSON lookups do: nothing to list
    expect(spelled('{"status":1,"x":2,"status":3}', '{"status":"a","status":null}')).toEqual([]);
    // null, arrays and objects make no label: Loki reads the later key, SQL the first
    expect(spelled('{"status":null,"status":3}')).toEqual(['status']);
    expect(spelled('{"status":[1],"status":3}')).toEqual(['status']);
    expect(spelled('{"status":{"a":1},"status":3}')).toEqual(['status', 'status_a']);
  });
  it('keys after a break Loki stops at are not needed, keys before it are kept', () => {
    expect(spelled('{"a-b":1,"c":"unterminated')).toEqual(['a_b']);
    expect(spelled('{"a-b":1,"c":tru,"d-e":2}')).toEqual(['a_b']);
  });
  it('a line nested past the walk depth makes the set unknown (and the walk does not overflow)', () => {
    const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const some = new Set<string>();
    otherSpellings(deep(150), some);
    expect(unionNames(new Set(), some)).toEqual(some);
    const many = new Set<string>();
    otherSpellings(deep(100_000), many);
    expect(unionNames(new Set(), many)).toBeUndefined();
  });
  it('a stream set grows to MAX_JSON_NAMES, then is unknown', () => {
    const start = new Set(['a']);
    expect(unionNames(start, new Set(['a']))).toBe(start);
    expect([...unionNames(start, new Set(['b']))!].sort()).toEqual(['a', 'b']);
    const many = new Set(Array.from({ length: MAX_JSON_NAMES }, (_, i) => `n${i}`));
    expect(unionNames(start, many)).toBeUndefined();
    expect(unionNames(undefined, new Set(['a']))).toBeUndefined();
  });
});

const engines = await enginesToTest();
const S = 1_000_000_000n;
const T0 = 1_795_168_800_000_000_000n;
const at = (i: number) => T0 + BigInt(i) * S;

/** well-formed request logs: nested and punctuated keys, but never a second spelling of status or latency_ms */
const CLEAN = Array.from({ length: 40 }, (_, i) =>
  JSON.stringify({
    level: i % 5 ? 'info' : 'error',
    status: [200, 404, 500, 503, 7][i % 5],
    latency_ms: (i * 37) % 400,
    user: { id: `u${i % 3}`, region: i % 2 ? 'eu' : 'us' },
    'http.version': '1.1',
    'trace-id': `t${i}`,
  }),
);
/** lines whose status or latency_ms Loki reads from another key than the plain top-level one */
const ODD = [
  '{" status":7,"status":8,"latency_ms":300}',
  '{"status":8," status":7,"latency_ms":300}',
  '{"st\\u0061tus":7,"status":500}',
  '{"status":500,"status":7}',
  '{"status":null,"status":7}',
  '{"latency_ms":[1],"latency_ms":900,"status":500}',
  '{"latency":{"ms":900},"status":500}',
  '{"latency-ms":700,"status":503}',
  '{"status":503,"latency_ms":1,"latency":{"ms":250}}',
  '{"level":"error","status ":500}',
];
const LATE = ['{"status":7," status":500,"latency_ms":250}', '{"latency":{"ms":333},"status":7}'];

const LOG_QUERIES = [
  '{app="sp"} | json | status = 7',
  '{app="sp"} | json | status >= 500',
  '{app="sp"} | json | status != 8',
  '{app="sp"} | json | latency_ms > 200',
  '{app="sp"} | json | latency_ms > 200 and status >= 500',
  '{app="sp"} | json | level = "error"',
  '{app="sp"} | json | user_region = "eu" | status = 500',
];
const METRIC_QUERIES = [
  'sum by (host, status) (count_over_time({app="sp"} | json | status >= 500 [1m]))',
  'sum by (host, status) (count_over_time({app="sp"} | json [1m]))',
  'sum by (host) (count_over_time({app="sp"} | json | status = 7 [1m]))',
  'sum by (host) (sum_over_time({app="sp"} | json | unwrap latency_ms [1m]))',
  'max_over_time({app="sp"} | json | status >= 500 | unwrap latency_ms [1m]) by (host)',
];

describe.each(engines)('other spellings of json labels on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    await engine.push([
      { labels: { app: 'sp', host: 'clean' }, entries: CLEAN.map((line, i) => ({ ts: at(i + 1), line })) },
      { labels: { app: 'sp', host: 'odd' }, entries: [...CLEAN, ...ODD].map((line, i) => ({ ts: at(i + 1), line })) },
      { labels: { app: 'sp', host: 'late' }, entries: CLEAN.map((line, i) => ({ ts: at(i + 1), line })) },
    ]);
  });
  afterAll(async () => engine?.close());

  const logs = async (query: string, pushdown: boolean) => {
    const ctx = execContext(engine, query, pushdown);
    const res = await runLogQuery(ctx, {
      expr: parse(query) as LogExpr,
      from: T0,
      to: at(200),
      limit: 5000,
      direction: 'forward',
    });
    return res.streams.flatMap((s) => s.entries.map((e) => `${JSON.stringify(s.labels)} ${e.ts} ${e.line}`)).sort();
  };
  const metric = async (query: string, pushdown: boolean) => {
    const ctx = execContext(engine, query, pushdown);
    return runMetricQuery(ctx, parse(query) as MetricExpr, stepGrid(T0, at(200), 60n * S, false));
  };
  const same = async () => {
    for (const q of LOG_QUERIES) expect([q, await logs(q, true)]).toEqual([q, await logs(q, false)]);
    for (const q of METRIC_QUERIES) {
      const [sql, ts] = await Promise.all([metric(q, true), metric(q, false)].map((p) => p.catch((e: Error) => e)));
      if (sql instanceof Error || ts instanceof Error) expect(String(sql)).toEqual(String(ts));
      else expect(expectSameSeries(sql, ts, 9)).toBeGreaterThan(0);
    }
  };

  it.skipIf(!!skip)('the catalog knows which names each stream spells another way', async () => {
    const streams = await engine.catalog.all();
    const byHost = Object.fromEntries(streams.map((s) => [s.labels.host, s.jsonNames && [...s.jsonNames].sort()]));
    expect(byHost.clean).toEqual(['http_version', 'trace_id', 'user_id', 'user_region']);
    expect(byHost.late).toEqual(['http_version', 'trace_id', 'user_id', 'user_region']);
    expect(byHost.odd).toEqual(['http_version', 'latency_ms', 'status', 'trace_id', 'user_id', 'user_region']);
  });

  it.skipIf(!!skip)('answers equal the TypeScript pipeline on every stream', same);

  it.skipIf(!!skip)('a hostile deeply nested line is stored, its stream unknown, its queries answered', async () => {
    const line = '{"status":' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000) + '}';
    await engine.push([
      {
        labels: { app: 'deep' },
        entries: [
          { ts: at(1), line },
          { ts: at(2), line: CLEAN[0]! },
        ],
      },
    ]);
    const deep = (await engine.catalog.all()).find((s) => s.labels.app === 'deep')!;
    expect(deep.jsonNames).toBeUndefined();
    for (const q of ['{app="deep"} | json | status = 7', '{app="deep"} | json | level = "error"']) {
      const [a, b] = await Promise.all([logs(q, true), logs(q, false)].map((p) => p.catch((e: Error) => e)));
      expect(String(a)).toEqual(String(b));
    }
  });

  it.skipIf(!!skip)('a stream that gains another spelling in a later push is tested from then on', async () => {
    // a query first, so that what the catalog holds is in use
    expect(await logs(LOG_QUERIES[0]!, true)).toEqual(await logs(LOG_QUERIES[0]!, false));
    await engine.push([
      { labels: { app: 'sp', host: 'late' }, entries: LATE.map((line, i) => ({ ts: at(100 + i), line })) },
    ]);
    const late = (await engine.catalog.all()).find((s) => s.labels.host === 'late')!;
    expect([...late.jsonNames!].sort()).toEqual([
      'http_version',
      'latency_ms',
      'status',
      'trace_id',
      'user_id',
      'user_region',
    ]);
    await same();
  });

  it.skipIf(!!skip)(
    'a table made before the columns gets them (DuckDB computes its sets, the others read unknown)',
    async () => {
      const sets = async () => {
        engine.catalog.invalidate();
        const all = await engine.catalog.all();
        return all
          .filter((s) => s.labels.app === 'sp')
          .map((s) => [s.labels.host, s.jsonNames && [...s.jsonNames].sort()]);
      };
      const before = await sets();
      const drop =
        te.name === 'clickhouse'
          ? 'ALTER TABLE streams DROP COLUMN json_names, DROP COLUMN json_names_known'
          : 'ALTER TABLE streams DROP COLUMN json_names';
      await engine.driver.exec(drop);
      await ensureNativeSchema(engine.driver);
      const after = await sets();
      expect(after).toEqual(te.name === 'duckdb' ? before : before.map(([host]) => [host, undefined]));
      await same();
      // a second ensure finds the columns and alters nothing; pushes go on
      await ensureNativeSchema(engine.driver);
      await engine.push([{ labels: { app: 'sp', host: 'fresh' }, entries: [{ ts: at(150), line: CLEAN[1]! }] }]);
      const fresh = (await sets()).find(([host]) => host === 'fresh')!;
      expect(fresh[1]).toEqual(['http_version', 'trace_id', 'user_id', 'user_region']);
    },
  );
});

describe('a DuckDB database stored before json_names', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'logqlsql-spellings-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is read once when opened, and a stream past the bound stays unknown', async () => {
    const url = `duckdb:${join(dir, 'old.duckdb')}`;
    let e = await Engine.open(url);
    const many = Array.from({ length: MAX_JSON_NAMES + 1 }, (_, i) => ({
      ts: at(i + 1) + 120n * 60n * S * BigInt(i % 3),
      line: `{"k-${i}":1}`,
    }));
    await e.push([
      { labels: { app: 'sp', host: 'clean' }, entries: CLEAN.map((line, i) => ({ ts: at(i + 1), line })) },
      { labels: { app: 'sp', host: 'odd' }, entries: [...CLEAN, ...ODD].map((line, i) => ({ ts: at(i + 1), line })) },
      { labels: { app: 'sp', host: 'many' }, entries: many },
    ]);
    const before = Object.fromEntries((await e.catalog.all()).map((s) => [s.labels.host, s.jsonNames]));
    expect(before.many).toBeUndefined();
    await e.driver.exec('UPDATE streams SET json_names = NULL');
    await e.close();
    e = await Engine.open(url);
    const after = Object.fromEntries((await e.catalog.all()).map((s) => [s.labels.host, s.jsonNames]));
    expect(after).toEqual(before);
    expect([...after.odd!].sort()).toEqual([
      'http_version',
      'latency_ms',
      'status',
      'trace_id',
      'user_id',
      'user_region',
    ]);
    const stored = await e.driver.query<{ n: bigint }>('SELECT count(*) AS n FROM streams WHERE json_names IS NULL');
    expect(stored[0]!.n).toBe(0n);
    await e.close();
  });
});
