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
import { at, T0 } from './fixture';

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
];

const DATA: PushStream[] = [
  { labels: { app: 'api', host: 'h-1' }, entries: LINES.map((line, i) => ({ ts: at(i + 1), line })) },
  {
    labels: { app: 'api', host: 'h-2' },
    entries: LINES.map((line, i) => ({ ts: at(i + 1), line, metadata: i % 2 ? { level: 'meta' } : undefined })),
  },
];

const QUERIES = [
  '{app="api"} | json | status >= 500',
  '{app="api"} | json | status = 500',
  '{app="api"} | json | status != 200',
  '{app="api"} | json | level = "error"',
  '{app="api"} | json | level != "error"',
  '{app="api"} | json | level =~ "err.*|warn"',
  '{app="api"} | json | level !~ "err.*"',
  '{app="api"} | json | level = ""',
  '{app="api"} | json | latency_ms > 100',
  '{app="api"} | json | latency_ms < 100 or level = "x"',
  '{app="api"} | json | host = "h-1"',
  '{app="api"} | json | status > 1 and status < 2',
  '{app="api"} | json | __error__ = "" | status >= 200',
  '{app="api"} | json | level = "error" | line_format "{{.status}}"',
];

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
    return { flat, stats: ctx.stats };
  };

  for (const query of QUERIES) {
    it.skipIf(!!skip)(query, async () => {
      const pre = await run(query, true);
      const ref = await run(query, false);
      expect(pre.flat).toEqual(ref.flat);
    });
  }

  it.skipIf(!!skip)('the pre-filter is used where the engine can express it', async () => {
    const pre = await run('{app="api"} | json | status >= 500', true);
    if (engine.dialect.jsonProbe)
      expect(pre.stats.tsStages).toContain('label filters on json fields are pre-filtered in SQL');
  });
});
