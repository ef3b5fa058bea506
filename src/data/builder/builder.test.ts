// The builder's registry, renderer and parser: every operation round-trips through the server's parser, edits
// render the LogQL Loki expects, and what the builder cannot show is refused with the construct's name.

import { describe, expect, it } from 'vitest';

import { formatQuery } from '../../../server/logql/format';
import { parseExpr } from '../../../server/logql/parse';
import { logqlModeller } from './modeller';
import { OPERATIONS, addOperation, operationDef } from './operations';
import { buildVisualQuery, maskRangeVariables, promDurationText, substituteRangeVariables } from './parse';
import { QUERY_PATTERNS, sampleSelector } from './patterns';
import { renderQuery } from './render';
import type { LogQLVisualQuery } from './model';

const ROUND_TRIP = [
  '{app="api"}',
  '{app="api", env!="dev", host=~"api-.*", level!~"debug|trace"}',
  '{app="api"} |= "error" != "timeout" |~ `\\d{3}` !~ "(?i)health" |> "<_> GET <_>" !> "<_> 200 <_>"',
  '{app="api"} |= "a" or "b" or "c"',
  '{app="api"} |= ip("10.0.0.0/8") != ip("192.168.1.1")',
  '{app="api"} | json',
  '{app="api"} | json status, path="request.path", first="items[0]"',
  '{app="web"} | logfmt',
  '{app="web"} | logfmt --strict --keep-empty method, code="status"',
  '{app="db"} | regexp "duration: (?P<d>[0-9.]+) ms"',
  '{app="nginx"} | pattern "<ip> - - <_> \\"<method> <path> <_>\\" <status> <_>"',
  '{app="api"} | unpack',
  '{app="api"} | json | status = 200 | status >= 500 | latency > 250ms | latency <= 1m30s | size > 20KB | status == 404',
  '{app="api"} | json | level="error" | path=~"/api/.*" | msg!="" | method!~"GET|HEAD"',
  '{app="nginx"} | pattern "<ip> <_>" | ip = ip("10.0.0.0/8") | ip != ip("::1")',
  '{app="api"} | json | __error__=""',
  '{app="api"} | json | status >= 500 or level="error"',
  '{app="api"} | json | status >= 500, level="error" | (a="b" or c="d") and e="f"',
  '{app="api"} | line_format "{{.status}} {{.msg | ToUpper}}"',
  '{app="api"} | json | label_format severity=level, msg2="{{.msg}}"',
  '{app="api"} | json | drop level, status="200", path=~"/health.*" | keep app, level',
  '{app="db"} | decolorize',
  'sum_over_time({app="api"} | json | unwrap latency_ms [5m])',
  'avg_over_time({app="web"} | logfmt | unwrap duration(duration) | __error__="" [5m])',
  'max_over_time({app="web"} | logfmt | unwrap duration_seconds(duration) [5m])',
  'sum_over_time({app="api"} | json | unwrap bytes(size) [1h])',
  'quantile_over_time(0.99, {app="api"} | json | unwrap latency_ms [5m]) by (host)',
  'min_over_time({app="api"} | json | unwrap latency_ms [5m]) without (path)',
  'count_over_time({app="api"}[5m])',
  'rate({app="api"} |= "error" [1m] offset 1h)',
  'bytes_rate({app="api"}[90s])',
  'bytes_over_time({app="api"}[1d])',
  'absent_over_time({app="nope"}[5m])',
  'rate_counter({app="api"} | json | unwrap bytes [5m])',
  'stddev_over_time({app="api"} | json | unwrap latency_ms [5m])',
  'stdvar_over_time({app="api"} | json | unwrap latency_ms [5m])',
  'first_over_time({app="api"} | json | unwrap status [5m])',
  'last_over_time({app="api"} | json | unwrap status [5m])',
  'sum by (level) (count_over_time({app="api"}[5m]))',
  'sum without (host) (count_over_time({app="api"}[5m]))',
  'sum by () (count_over_time({app="api"}[5m]))',
  'avg(min(max(stddev(stdvar(count(rate({app="api"}[5m])))))))',
  'topk(3, sum by (path) (rate({app="api"}[5m])))',
  'bottomk by (level) (2, rate({app="api"}[5m]))',
  'approx_topk(5, rate({app="api"}[5m]))',
  'sort(rate({app="api"}[5m]))',
  'sort_desc(rate({app="api"}[5m]))',
  'label_replace(rate({app="api"}[5m]), "svc", "$1", "app", "(.*)")',
  'sum(rate({app="api"}[5m])) * 100',
  'sum(rate({app="api"}[5m]) * 2)',
  'rate({app="api"}[5m]) + 1 - 2',
  '(rate({app="api"}[5m]) + 1) * 2',
  'rate({app="api"}[5m]) ^ 2 ^ 3',
  'rate({app="api"}[5m]) > bool 0.5',
  'rate({app="api"}[5m]) >= 1',
  'sum(rate({app="api"} |= "error" [5m])) / sum(rate({app="api"}[5m]))',
  'sum by (host) (rate({app="api"}[5m])) / on (host) sum by (host) (rate({app="web"}[5m]))',
  'sum by (host, level) (rate({app="api"}[5m])) / ignoring (level) group_left sum by (host) (rate({app="api"}[5m]))',
  'rate({a="b"}[1m]) + rate({a="c"}[1m]) * rate({a="d"}[1m])',
  '(rate({a="b"}[1m]) + rate({a="c"}[1m])) * rate({a="d"}[1m])',
  'rate({a="b"}[1m]) and rate({a="c"}[1m]) or rate({a="d"}[1m])',
  'rate({a="b"}[1m]) > bool on (x) rate({a="c"}[1m])',
  'sum by (level) (count_over_time({app="api"} | json [$__auto]))',
  'rate({app="$app"}[${window}])',
];

const norm = (q: string) => formatQuery(q.replace(/\$__auto|\$\{window\}/g, '5m'));

describe('round trip Code → Builder → Code', () => {
  it.each(ROUND_TRIP)('%s', (q) => {
    const res = buildVisualQuery(q);
    expect(res.error).toBeUndefined();
    const back = renderQuery(res.query!);
    expect(norm(back)).toBe(norm(q));
  });

  it('keeps Grafana range variables as written', () => {
    const res = buildVisualQuery('rate({app="api"}[$__auto])');
    expect(res.query?.operations).toEqual([{ id: 'rate', params: ['$__auto', ''] }]);
    expect(renderQuery(res.query!)).toBe('rate({app="api"} [$__auto])');
    // a variable inside a string is left alone
    expect(substituteRangeVariables('{a="[$x]"} |= `[$y]`', new Map())).toBe('{a="[$x]"} |= `[$y]`');
    // validation sees durations of the same length, so error positions still match the text
    const masked = maskRangeVariables('rate({a="[$x]"}[$__auto]) / rate({a="b"}[ ${w} ])');
    expect(masked).toBe('rate({a="[$x]"}[999999s]) / rate({a="b"}[99999s])');
    expect(() => parseExpr(masked)).not.toThrow();
  });
});

describe('what the builder cannot show', () => {
  it.each([
    ['vector(1)', '`vector(…)`'],
    ['2 * rate({a="b"}[1m])', 'a number on the left of `*`'],
    ['sum(rate({a="b"}[1m]) / rate({a="c"}[1m]))', '`sum` applied to a binary operation between two queries'],
    ['variants(count_over_time({a="b"}[1m])) of ({a="b"}[1m])', '`variants(…) of (…)`'],
    ['{a="b"} |= ip("1.2.3.4") or ip("5.6.7.8")', 'an ip() line filter combined with `or`'],
    ['topk($k, rate({a="$app"}[$__auto]))', 'the Grafana variable $k here'],
  ])('%s', (q, construct) => {
    const res = buildVisualQuery(q);
    expect(res.query).toBeUndefined();
    expect(res.error).toContain(construct);
    expect(res.error).toContain('Code mode');
  });

  it('refuses a broken query with the parser message', () => {
    expect(buildVisualQuery('{app="api"} |=').error).toMatch(/fix it in Code mode first: .*unexpected end of query/);
  });
});

describe('builder edits', () => {
  it('renders labels, a filter chain, a parser, unwrap, a range function and an aggregation', () => {
    let q: LogQLVisualQuery = { labels: [{ label: 'app', op: '=', value: 'api' }], operations: [] };
    const add = (id: string, params?: Array<string | number | boolean>) => {
      q = addOperation(operationDef(id)!, q, logqlModeller);
      if (params) {
        q.operations = q.operations.map((o) => (o.id === id ? { ...o, params } : o));
      }
    };
    add('__sum_by', [5, 'host']); // an aggregation on a log query first gets a range function
    expect(q.operations.map((o) => o.id)).toEqual(['rate', '__sum_by']);
    q.operations[1] = { id: '__sum_by', params: ['host'] };
    add('json');
    add('__line_contains', ['error', 'fatal']);
    add('__label_filter_compare', ['latency', '>', '250ms']);
    add('unwrap', ['latency', 'duration']);
    q.operations = q.operations.map((o) => (o.id === 'rate' ? { id: 'avg_over_time', params: ['5m', ''] } : o));
    expect(renderQuery(q)).toBe(
      'sum by (host) (avg_over_time({app="api"} | json |= "error" or "fatal" | latency > 250ms | unwrap duration(latency) [5m]))',
    );
    expect(() => parseExpr(renderQuery(q))).not.toThrow();
  });

  it('adds a query joined by an operator, parenthesised by precedence', () => {
    const a: LogQLVisualQuery = {
      labels: [{ label: 'app', op: '=', value: 'api' }],
      operations: [{ id: 'rate', params: ['1m', ''] }, { id: '__addition', params: [1] }],
      binaryQueries: [
        {
          operator: '*',
          vectorMatchesType: 'on',
          vectorMatches: 'host',
          query: { labels: [{ label: 'app', op: '=', value: 'web' }], operations: [{ id: 'rate', params: ['1m', ''] }] },
        },
      ],
    };
    expect(renderQuery(a)).toBe('(rate({app="api"} [1m]) + 1) * on (host) rate({app="web"} [1m])');
  });

  it('has one definition per id, each in a category the modeller lists, with a renderer', () => {
    const ids = OPERATIONS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of OPERATIONS) {
      expect(logqlModeller.getCategories()).toContain(d.category);
      expect(typeof d.renderer(d.defaultParams.length ? { id: d.id, params: d.defaultParams } : { id: d.id, params: [] }, d, '{a="b"}')).toBe('string');
    }
    expect(logqlModeller.getAlternativeOperations('range function false ').map((d) => d.id)).toContain('count_over_time');
  });

  it('writes ranges as Prometheus durations', () => {
    expect(promDurationText(90_000_000_000n)).toBe('1m30s');
    expect(promDurationText(86_400_000_000_000n)).toBe('1d');
    expect(() => promDurationText(1n)).toThrow(/cannot show/);
  });
});

describe('kick start patterns', () => {
  it('are valid LogQL the builder can show', () => {
    for (const p of QUERY_PATTERNS) {
      const q = p.build('{app="api"}');
      expect(buildVisualQuery(q).error, q).toBeUndefined();
    }
    expect(QUERY_PATTERNS.some((p) => p.type === 'logs')).toBe(true);
    expect(QUERY_PATTERNS.some((p) => p.type === 'metric')).toBe(true);
  });

  it('take the first real label and value', async () => {
    const names = async () => ['__stream_shard__', 'env', 'level'];
    const values = async (n: string) => (n === 'env' ? ['prod', 'staging'] : []);
    await expect(sampleSelector(names, values)).resolves.toBe('{env="prod"}');
    await expect(sampleSelector(async () => ['app', 'env'], async () => ['a"b'])).resolves.toBe('{app="a\\"b"}');
    await expect(sampleSelector(async () => [], values)).resolves.toBe('{job=~".+"}');
  });
});
