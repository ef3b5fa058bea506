// Constructs the recorded Loki answers do not cover, executed on every engine over a small fixture, with answers
// worked out from Loki's documentation (query language reference, template functions, metric queries).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../server/engine/engine';
import type { QueryData } from '../../server/engine/types';
import { enginesToTest } from '../engines';
import { at, FIXTURE, S, T0 } from './fixture';
import { execContext } from './context';
import { runMetricQuery } from '../../server/engine/metricQuery';
import { parse } from '../../server/logql/check';
import type { MetricExpr } from '../../server/logql/ast';
import { stepGrid } from '../../server/eval/steps';

const engines = await enginesToTest();

/** streams → { "labels": [lines in forward order] } */
function lines(d: QueryData): Record<string, string[]> {
  if (d.resultType !== 'streams') throw new Error(`expected streams, got ${d.resultType}`);
  const out: Record<string, string[]> = {};
  for (const s of d.result) {
    const key = Object.entries(s.labels)
      .filter(([k]) => k !== '__error_details__')
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    out[key] = [...(out[key] ?? []), ...s.entries.map((e) => e.line)];
  }
  return out;
}

function vector(d: QueryData): [Record<string, string>, number][] {
  if (d.resultType !== 'vector') throw new Error(`expected vector, got ${d.resultType}`);
  return d.result.map((s) => [s.metric, s.value[1]]);
}

describe.each(engines)('LogQL constructs on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    await engine.push(FIXTURE);
  });
  afterAll(async () => engine?.close());

  const logs = async (query: string): Promise<Record<string, string[]>> =>
    lines(
      (await engine.query({ query, start: T0, end: at(60), instant: false, limit: 1000, direction: 'forward' })).data,
    );
  const instant = async (query: string, t = at(60)): Promise<QueryData> =>
    (await engine.query({ query, start: t, end: t, instant: true, limit: 100, direction: 'backward' })).data;

  it.skipIf(!!skip)('|> keeps lines matching a pattern, !> drops them (Loki 3 pattern line filters)', async () => {
    expect(await logs('{app="a"} |> "<_> /api/<_>"')).toEqual({ 'app=a,env=prod': ['GET /api/v1/users 200 12ms'] });
    expect((await logs('{app="a"} !> "<_> /api/<_>"'))['app=a,env=prod']).toHaveLength(4);
  });

  it.skipIf(!!skip)(
    '`or` in line filters: a positive filter keeps any match, a negative one drops any match',
    async () => {
      expect((await logs('{app="a"} |= "hello" or "timeout"'))['app=a,env=prod']).toEqual([
        'level=info msg="hello world" status=200 latency=120ms',
        'level=error msg="db timeout" status=500 latency=2s',
      ]);
      expect((await logs('{app="a"} != "hello" or "timeout"'))['app=a,env=prod']).toHaveLength(3);
      expect((await logs('{app="a"} |~ "HELLO" or "(?i)TIMEOUT"'))['app=a,env=prod']).toEqual([
        'level=error msg="db timeout" status=500 latency=2s',
      ]);
    },
  );

  it.skipIf(!!skip)('unpack restores a packed line and its labels', async () => {
    expect(await logs('{app="a"} |= "_entry" | unpack')).toEqual({ 'app=a,env=prod,pod=p-1': ['unpacked line'] });
  });

  it.skipIf(!!skip)('json with a nested parameter keeps non-ASCII values', async () => {
    expect(await logs('{app="a"} |= "Zoë" | json name="user.name", id="user.id" | keep name, id')).toEqual({
      'id=7,name=Zoë': ['{"level":"warn","user":{"id":7,"name":"Zoë"},"tags":["x"],"dur":"350ms"}'],
    });
  });

  it.skipIf(!!skip)('line_format and label_format with Loki template functions', async () => {
    expect(
      await logs('{app="a"} |= "level=" | logfmt | line_format "{{ .level | ToUpper }}-{{ .status }}" | keep app'),
    ).toEqual({
      'app=a': ['INFO-200', 'ERROR-500'],
    });
    expect(
      await logs(
        '{app="a"} |= "level=" | logfmt | line_format `{{ if eq .status "500" }}bad{{ else }}ok{{ end }} {{ .msg | trunc 5 }}` | keep app',
      ),
    ).toEqual({ 'app=a': ['ok hello', 'bad db ti'] });
    expect(
      await logs(
        '{app="a"} |= "level=" | logfmt | line_format `{{ regexReplaceAll "(\\\\d+)ms" .latency "${1}" }} {{ __timestamp__ | date "15:04:05" }}` | keep app',
      ),
    ).toEqual({ 'app=a': ['120 22:13:30', '2s 22:13:40'] });
    expect(await logs('{app="a"} |= "level=" | logfmt | label_format lvl="{{ .level | title }}" | keep lvl')).toEqual({
      'lvl=Info': ['level=info msg="hello world" status=200 latency=120ms'],
      'lvl=Error': ['level=error msg="db timeout" status=500 latency=2s'],
    });
  });

  it.skipIf(!!skip)('drop with a value matcher removes the label only where the value matches', async () => {
    const got = await logs('{app="a"} |= "level=" | logfmt | drop level="info", msg, status, latency');
    expect(Object.keys(got).sort()).toEqual(['app=a,env=prod', 'app=a,env=prod,level=error']);
  });

  it.skipIf(!!skip)('approx_topk answers like topk (its approximation is exact on small data)', async () => {
    expect(vector(await instant('approx_topk(1, sum by (app) (count_over_time({env="prod"}[1m])))'))).toEqual([
      [{ app: 'a' }, 5],
    ]);
  });

  it.skipIf(!!skip)('sort and sort_desc order an instant vector by value', async () => {
    expect(vector(await instant('sort(sum by (app) (count_over_time({env="prod"}[1m])))'))).toEqual([
      [{ app: 'b' }, 3],
      [{ app: 'a' }, 5],
    ]);
    expect(vector(await instant('sort_desc(sum by (app) (count_over_time({env="prod"}[1m])))'))).toEqual([
      [{ app: 'a' }, 5],
      [{ app: 'b' }, 3],
    ]);
  });

  it.skipIf(!!skip)('scalar arithmetic, bool comparisons, vector() and label_replace', async () => {
    const s = await instant('2 * 3 + 1');
    expect(s.resultType).toBe('scalar');
    expect(s.resultType === 'scalar' && s.result[1]).toBe(7);
    expect(vector(await instant('vector(2) > bool 1'))).toEqual([[{}, 1]]);
    expect(vector(await instant('count_over_time({app="a"}[1m]) > 100'))).toEqual([]);
    expect(vector(await instant('label_replace(vector(1), "foo", "bar", "", "")'))).toEqual([[{ foo: 'bar' }, 1]]);
  });

  it.skipIf(!!skip)('rate_counter handles a counter reset and extrapolates as Loki 3.7.6 does', async () => {
    // samples 10,20,30 then 5 (a reset): increase 25; Loki extends the 30 s of samples (3e7 in its ns/1000 units) by
    // the range in ms/1000 (60) at the start and nothing at the end → 25 × 30000060/30000000 / 60 s
    // (Prometheus' extrapolation would give 37.5 / 60 = 0.625)
    const [[labels, v]] = vector(await instant('rate_counter({app="c"} | json | unwrap counter [1m])'));
    expect(labels).toEqual({ app: 'c', env: 'dev' });
    expect(v).toBeCloseTo((25 * (30000060 / 30000000)) / 60, 12);
  });

  it.skipIf(!!skip)(
    'a range aggregation does not group an unwrap failure away: the query fails as a pipeline error',
    async () => {
      // `latency` is "120ms" / "2s": plain unwrap cannot convert it → SampleExtractionErr, kept out of the `by` grouping
      await expect(
        instant('avg_over_time({app="a"} |= "level=" | logfmt | unwrap latency [1m]) by (app)'),
      ).rejects.toThrow(/pipeline error: 'SampleExtractionErr'/);
      expect(
        vector(await instant('avg_over_time({app="a"} |= "level=" | logfmt | unwrap duration(latency) [1m]) by (app)')),
      ).toEqual([[{ app: 'a' }, 1.06]]);
    },
  );

  it.skipIf(!!skip)('a sample exactly at the evaluation time counts (Loki 3.7.6), also with offset', async () => {
    expect(vector(await instant('count_over_time({app="a"}[1m])', at(50)))).toEqual([[{ app: 'a', env: 'prod' }, 5]]);
    expect(vector(await instant('count_over_time({app="a"}[40s])', at(50)))).toEqual([[{ app: 'a', env: 'prod' }, 4]]);
    expect(vector(await instant('count_over_time({app="a"}[20s] offset 10s)', at(50)))).toEqual([
      [{ app: 'a', env: 'prod' }, 2],
    ]);
    // the query's last step counts its own sample too, on the SQL and the TypeScript paths
    for (const pushdown of [true, false]) {
      const q = 'count_over_time({app="a"}[10s] offset 10s)';
      const v = await runMetricQuery(
        execContext(engine, q, pushdown),
        parse(q) as MetricExpr,
        stepGrid(at(40), at(60), 10n * S, false),
      );
      if (v.kind !== 'vector') throw new Error(v.kind);
      expect(v.series.map((r) => [...r.values])).toEqual([[1, 1, 1]]);
    }
  });
});
