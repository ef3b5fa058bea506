import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine';
import type { PushStream } from '../engine/types';
import { buildServer } from '../http/server';
import {
  detectLevel,
  discoverFields,
  discoverServiceName,
  discoveryFromOptions,
  discoveryOptions,
  LOKI_DISCOVERY,
  LOKI_SERVICE_NAME_LABELS,
  NO_DISCOVERY,
} from './discover';

const T = 1_795_168_800_000_000_000n;

describe('service_name discovery (Loki: discover_service_name)', () => {
  it('takes the first listed label present, else unknown_service, and keeps an existing one', () => {
    expect(discoverServiceName({ job: 'j', app: 'a' }, LOKI_SERVICE_NAME_LABELS)).toBe('a');
    expect(discoverServiceName({ container: 'c', job: 'j' }, LOKI_SERVICE_NAME_LABELS)).toBe('c');
    expect(discoverServiceName({ app: '', job: 'j' }, LOKI_SERVICE_NAME_LABELS)).toBe('j');
    expect(discoverServiceName({ env: 'prod' }, LOKI_SERVICE_NAME_LABELS)).toBe('unknown_service');
    expect(discoverServiceName({ service_name: 's', app: 'a' }, LOKI_SERVICE_NAME_LABELS)).toBeUndefined();
    expect(discoverServiceName({ __pattern__: 'x' }, LOKI_SERVICE_NAME_LABELS)).toBeUndefined();
    expect(discoverServiceName({ app: 'a' }, [])).toBeUndefined();
  });
});

describe('detected_level discovery (Loki: discover_log_levels)', () => {
  const lvl = (line: string, labels = {}, md?: Record<string, string>) => detectLevel(labels, md, line);
  it('prefers a level label, then level metadata, then OTLP severity_number, then the line', () => {
    expect(lvl('error in text', { level: 'DBG' })).toBe('debug');
    expect(lvl('error in text', { severity: 'Warning' })).toBe('warn');
    expect(lvl('error in text', { level: 'notice' })).toBe('notice'); // unknown spellings kept as they are
    expect(lvl('error in text', {}, { severity_text: 'INFO' })).toBe('info');
    expect(lvl('error in text', {}, { severity_number: '17' })).toBe('error');
    expect(lvl('x', {}, { severity_number: '0' })).toBe('unknown');
    expect(lvl('x', {}, { severity_number: '22' })).toBe('fatal');
    expect(lvl('x', {}, { detected_level: 'WRN' })).toBe('warn');
  });
  it('reads JSON keys (two levels deep), logfmt keys, then level words standing alone', () => {
    expect(lvl('{"msg":"error here","level":"critical"}')).toBe('critical');
    expect(lvl('{"MSG":"x","LEVEL":"Critical"}')).toBe('critical');
    expect(lvl('{"log":{"severity":"warn"},"msg":"ok"}')).toBe('warn');
    expect(lvl('{"a":{"level":"DBG"}}')).toBe('debug');
    expect(lvl('{"a":{"b":{"level":"DBG"}}}')).toBe('unknown'); // too deep: the text decides
    expect(lvl('{"level":"verbose","msg":"x"}')).toBe('unknown');
    expect(lvl('{"tags":[{"level":"dbg"}],"msg":"x"}')).toBe('unknown'); // not inside arrays
    expect(lvl('{"msg":"the \\"level\\": \\"dbg\\" text","lvl":"WRN"}')).toBe('warn'); // not inside strings
    expect(lvl('{"ctx":{"a":1},"Severity" : "Error"}')).toBe('error');
    expect(lvl('level=error msg="all good"')).toBe('error');
    expect(lvl('ts=1 LEVEL=warn')).toBe('warn');
    expect(lvl('method=GET status=200 msg="warning: slow"')).toBe('warn');
    expect(lvl('this is a debug message')).toBe('debug');
    expect(lvl('[ERR] disk full')).toBe('error');
    expect(lvl('2026-11-20 10:00:00 UTC [42] ERROR:  deadlock detected')).toBe('error');
    expect(lvl('GET /errors 200')).toBe('unknown'); // a word inside a path is not a level
    expect(lvl('misc:error happened')).toBe('unknown'); // key:value compounds are not levels
    expect(lvl('info: then an error')).toBe('info'); // the first level word wins
    expect(lvl('10.0.0.1 - - "GET / HTTP/1.1" 200')).toBe('unknown');
  });
  it('adds detected_level metadata and service_name labels to a push, normalising an existing level', () => {
    const streams: PushStream[] = [
      {
        labels: { app: 'api' },
        entries: [
          { ts: T, line: 'level=warn x=1' },
          { ts: T + 1n, line: 'plain', metadata: { detected_level: 'ERR', trace_id: 't' } },
        ],
      },
    ];
    discoverFields(streams, LOKI_DISCOVERY);
    expect(streams[0].labels).toEqual({ app: 'api', service_name: 'api' });
    expect(streams[0].entries.map((e) => e.metadata)).toEqual([
      { detected_level: 'warn' },
      { detected_level: 'error', trace_id: 't' },
    ]);
    const untouched: PushStream[] = [{ labels: { app: 'api' }, entries: [{ ts: T, line: 'level=warn' }] }];
    discoverFields(untouched, NO_DISCOVERY);
    expect(untouched[0]).toEqual({ labels: { app: 'api' }, entries: [{ ts: T, line: 'level=warn' }] });
  });
  it("parses serve's flags: off by default, Loki's settings when asked", () => {
    const parse = (argv: string[]) => {
      const c = new Command().exitOverride();
      for (const o of discoveryOptions()) c.addOption(o);
      c.parse(argv, { from: 'user' });
      return discoveryFromOptions(c.opts());
    };
    // off unless asked (the reference Loki of the conformance set ran without them); the bare flags give Loki's
    expect(parse([])).toEqual(NO_DISCOVERY);
    expect(parse(['--discover-service-name', '--discover-log-levels'])).toEqual(LOKI_DISCOVERY);
    expect(parse(['--discover-service-name', '', '--no-discover-log-levels'])).toEqual(NO_DISCOVERY);
    expect(parse(['--discover-service-name', 'team, app'])).toMatchObject({ serviceNameLabels: ['team', 'app'] });
  });
});

describe('discovery through the push API, queried back', () => {
  let engine: Engine;
  let app: ReturnType<typeof buildServer>;
  beforeAll(async () => {
    engine = await Engine.open('duckdb::memory:');
    app = buildServer(engine, { discovery: LOKI_DISCOVERY });
    const s = (sec: number) => String(T + BigInt(sec) * 1_000_000_000n);
    const res = await app.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      headers: { 'content-type': 'application/json' },
      payload: {
        streams: [
          {
            stream: { app: 'nginx' },
            values: [
              [s(1), '10.0.0.1 - - "GET / HTTP/1.1" 200'],
              [s(2), '10.0.0.1 - - "GET / HTTP/1.1" 502 upstream error'],
            ],
          },
          { stream: { job: 'web', level: 'info' }, values: [[s(3), 'handled']] },
          { stream: { env: 'dev' }, values: [[s(4), '{"severity":"warn","msg":"slow"}']] },
        ],
      },
    });
    expect(res.statusCode).toBe(204);
  });
  afterAll(async () => {
    await app.close();
    await engine.close();
  });

  it('stores service_name as a label and detected_level as structured metadata usable in queries', async () => {
    const q = (query: string, extra = '') =>
      app.inject({
        url: `/loki/api/v1/query_range?query=${encodeURIComponent(query)}&start=${T}&end=${T + 10_000_000_000n}${extra}`,
      });
    const labels = await app.inject({ url: `/loki/api/v1/label/service_name/values?start=${T}` });
    expect(labels.json().data).toEqual(['nginx', 'unknown_service', 'web']);
    const names = await app.inject({ url: `/loki/api/v1/labels?start=${T}` });
    expect(names.json().data).not.toContain('detected_level'); // metadata, not a stream label

    const vol = await q('sum by (detected_level) (count_over_time({service_name=~".+"}[1m]))', '&step=10');
    const series = vol.json().data.result as { metric: Record<string, string>; values: [number, string][] }[];
    const counts = Object.fromEntries(series.map((r) => [r.metric.detected_level, Number(r.values.at(-1)![1])]));
    expect(counts).toEqual({ unknown: 1, error: 1, info: 1, warn: 1 });

    const errors = await q('{service_name="nginx"} | detected_level="error"');
    const streams = errors.json().data.result as { values: [string, string][] }[];
    expect(streams.flatMap((r) => r.values.map((v) => v[1]))).toEqual([
      '10.0.0.1 - - "GET / HTTP/1.1" 502 upstream error',
    ]);
  });
});
