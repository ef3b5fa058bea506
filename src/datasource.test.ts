// @vitest-environment jsdom
import './test/setup';
import {
  FieldType,
  LogRowContextQueryDirection,
  SupplementaryQueryType,
  dateTime,
  type DataFrame,
  type DataQueryRequest,
  type DataSourceInstanceSettings,
  type LogRowModel,
} from '@grafana/data';
import { lastValueFrom, of } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';

import { DataSource, annotationEventsFromFrames, hashString, logQueryOf, logsVolumeExpr } from './datasource';
import type { LogQLOptions, LogQLQuery } from './types';

function settings(jsonData: Partial<LogQLOptions> = {}): DataSourceInstanceSettings<LogQLOptions> {
  return {
    id: 1,
    uid: 'ds-uid',
    type: 'logqlsql-datasource',
    name: 'LogQL SQL',
    access: 'proxy',
    readOnly: false,
    jsonData: { engine: 'duckdb', ...jsonData },
    meta: {} as any,
  } as DataSourceInstanceSettings<LogQLOptions>;
}

const templateSrv = {
  replace: (s: string, _sv?: unknown, fmt?: unknown) =>
    s
      .replace(/\$app\b/g, typeof fmt === 'function' ? fmt(['a', 'b'], { name: 'app', multi: true }) : 'a')
      .replace(/\$__interval\b/g, '1m'),
  getVariables: () => [],
};

function makeDs(jsonData: Partial<LogQLOptions> = {}) {
  return new DataSource(settings(jsonData), templateSrv as any);
}

function logsFrame(lines: string[], labels: Record<string, string> = { app: 'api' }): DataFrame {
  return {
    name: 'logs',
    refId: 'A',
    length: lines.length,
    meta: { type: 'log-lines' as any },
    fields: [
      { name: 'timestamp', type: FieldType.time, config: {}, values: lines.map((_, i) => 1000 + i) },
      { name: 'body', type: FieldType.string, config: {}, values: lines },
      { name: 'labels', type: FieldType.other, config: {}, values: lines.map(() => labels) },
    ],
  };
}

function request(targets: LogQLQuery[]): DataQueryRequest<LogQLQuery> {
  const from = dateTime(0);
  const to = dateTime(3_600_000);
  return {
    requestId: 'r',
    interval: '1m',
    intervalMs: 60_000,
    range: { from, to, raw: { from, to } },
    scopedVars: {},
    targets,
    timezone: 'UTC',
    app: 'explore',
    startTime: 0,
  } as DataQueryRequest<LogQLQuery>;
}

describe('DataSource', () => {
  it('interpolates variables, $__auto and ad hoc filters', () => {
    const ds = makeDs();
    const q = ds.applyTemplateVariables({ refId: 'A', expr: 'count_over_time({app=~"$app"}[$__auto])' }, {}, [
      { key: 'env', operator: '=', value: 'prod' },
    ]);
    expect(q.expr).toBe('count_over_time({app=~"(a|b)", env="prod"}[1m])');
  });

  it('filters for / out from log details, toggleable', () => {
    const ds = makeDs();
    const q: LogQLQuery = { refId: 'A', expr: '{app="api"}' };
    const added = ds.modifyQuery(q, { type: 'ADD_FILTER', options: { key: 'level', value: 'error' } });
    expect(added.expr).toBe('{app="api", level="error"}');
    const out = ds.modifyQuery(added, { type: 'ADD_FILTER_OUT', options: { key: 'level', value: 'error' } });
    expect(out.expr).toBe('{app="api", level!="error"}');
    expect(ds.modifyQuery(q, { type: 'ADD_STRING_FILTER', options: { value: 'boom' } }).expr).toBe(
      '{app="api"} |= "boom"',
    );
    expect(ds.modifyQuery(q, { type: 'ADD_STRING_FILTER_OUT', options: { value: 'boom' } }).expr).toBe(
      '{app="api"} != "boom"',
    );
    expect(ds.getSupportedQueryModifications()).toContain('ADD_FILTER');

    const parsed: LogQLQuery = { refId: 'A', expr: '{app="api"} | json' };
    const on = ds.toggleQueryFilter(parsed, { type: 'FILTER_FOR', options: { key: 'status', value: '500' } });
    expect(on.expr).toBe('{app="api"} | json | status="500"');
    expect(ds.queryHasFilter(on, { key: 'status', value: '500' })).toBe(true);
    const off = ds.toggleQueryFilter(on, { type: 'FILTER_FOR', options: { key: 'status', value: '500' } });
    expect(off.expr).toBe('{app="api"} | json');
    const flipped = ds.toggleQueryFilter(on, { type: 'FILTER_OUT', options: { key: 'status', value: '500' } });
    expect(flipped.expr).toBe('{app="api"} | json | status!="500"');
  });

  it('builds logs volume and logs sample queries', () => {
    const ds = makeDs();
    expect(logsVolumeExpr('{app="api"} |= "x"')).toBe(
      'sum by (level, detected_level) (count_over_time({app="api"} |= "x" | drop __error__ [$__auto]))',
    );
    const vol = ds.getSupplementaryQuery(
      { type: SupplementaryQueryType.LogsVolume },
      { refId: 'A', expr: '{app="api"}' },
    );
    expect(vol).toMatchObject({ refId: 'log-volume-A', queryType: 'range', supportingQueryType: 'logsVolume' });
    expect(
      ds.getSupplementaryQuery({ type: SupplementaryQueryType.LogsVolume }, { refId: 'A', expr: 'rate({a="b"}[1m])' }),
    ).toBeUndefined();
    const sample = ds.getSupplementaryQuery(
      { type: SupplementaryQueryType.LogsSample, limit: 20 },
      {
        refId: 'A',
        expr: 'sum(rate({a="b"} | json [1m]))',
      },
    );
    expect(sample).toMatchObject({ expr: '{a="b"} | json', maxLines: 20 });
    const req = ds.getSupplementaryRequest(
      SupplementaryQueryType.LogsVolume,
      request([
        { refId: 'A', expr: '{a="b"}' },
        { refId: 'B', expr: '' },
      ]),
    );
    expect(req?.targets.map((t) => t.refId)).toEqual(['log-volume-A']);
    expect(ds.getSupportedSupplementaryQueryTypes()).toEqual([
      SupplementaryQueryType.LogsVolume,
      SupplementaryQueryType.LogsSample,
    ]);
    expect(logQueryOf('{a="b"}')).toBe('{a="b"}');
  });

  it('log context queries the row’s stream around its time, in both directions', async () => {
    const ds = makeDs();
    const spy = vi.spyOn(ds as any, 'runBackendQuery').mockReturnValue(of({ data: [] }));
    const row = {
      uid: 'r1',
      timeEpochMs: 10_000,
      labels: { app: 'api', env: 'p', status: '500' },
    } as unknown as LogRowModel;
    const q = await ds.getLogRowContextQuery(
      row,
      { limit: 5 },
      { refId: 'A', expr: '{app="api"} |= "x" | json | status="500"' },
    );
    expect(q).toMatchObject({ expr: '{app="api"} | json', maxLines: 5, direction: 'backward' });
    await ds.getLogRowContext(
      row,
      { direction: LogRowContextQueryDirection.Forward, limit: 3 },
      { refId: 'A', expr: '{app="api"}' },
    );
    const req = spy.mock.calls[0][0] as DataQueryRequest<LogQLQuery>;
    expect(req.targets[0]).toMatchObject({
      expr: '{app="api", env="p", status="500"}',
      direction: 'forward',
      maxLines: 3,
    });
    expect(req.range.from.valueOf()).toBe(10_000);
  });

  it('variable queries use label resources or run a query', async () => {
    const ds = makeDs();
    const getResource = vi
      .spyOn(ds, 'getResource')
      .mockImplementation(async (path: string) => (path === 'labels' ? ['app', 'env'] : ['api', 'web']));
    expect(await ds.metricFindQuery('label_names()')).toEqual([{ text: 'app' }, { text: 'env' }]);
    expect(await ds.metricFindQuery('label_values({env="p"}, app)')).toEqual([{ text: 'api' }, { text: 'web' }]);
    expect(getResource.mock.calls[1][0]).toBe('label/app/values');
    expect((getResource.mock.calls[1][1] as any).query).toBe('{env="p"}');
    vi.spyOn(ds as any, 'runBackendQuery').mockReturnValue(
      of({
        data: [
          {
            length: 1,
            fields: [
              { name: 'time', type: FieldType.time, config: {}, values: [1] },
              { name: 'value', type: FieldType.number, config: {}, values: [3], labels: { app: 'api' } },
            ],
          },
        ],
      }),
    );
    expect(await ds.metricFindQuery('sum by (app) (count_over_time({a="b"}[5m]))')).toEqual([
      { text: 'api', value: 'api', properties: { app: 'api' } },
    ]);
    expect(await ds.getTagKeys()).toEqual([{ text: 'app' }, { text: 'env' }]);
  });

  it('adds derived fields to log frames', async () => {
    const ds = makeDs({
      derivedFields: [{ name: 'traceID', matcherRegex: 'trace=(\\w+)', url: 'http://t/${__value.raw}' }],
    });
    vi.spyOn(ds as any, 'runBackendQuery').mockReturnValue(of({ data: [logsFrame(['a trace=abc1', 'none'])] }));
    const res = await lastValueFrom(ds.query(request([{ refId: 'A', expr: '{app="api"}' }])));
    const f = (res.data[0] as DataFrame).fields.find((x) => x.name === 'traceID')!;
    expect(f.values).toEqual(['abc1', null]);
    expect(f.config.links?.[0].url).toBe('http://t/${__value.raw}');
  });

  it('sends maxLines defaults with queries', async () => {
    const ds = makeDs({ maxLines: 321 });
    const spy = vi.spyOn(ds as any, 'runBackendQuery').mockReturnValue(of({ data: [] }));
    await lastValueFrom(ds.query(request([{ refId: 'A', expr: '{app="api"}' }])));
    expect((spy.mock.calls[0][0] as any).targets[0].maxLines).toBe(321);
  });

  it('live tail subscribes to ds/<uid>/tail/<hash>', () => {
    const ds = makeDs();
    const ch = ds.liveChannel({ refId: 'A', expr: '{app="api"}' });
    expect(ch).toMatchObject({ scope: 'ds', stream: 'ds-uid', path: `tail/${hashString('{app="api"}\u0000')}` });
    expect((ch.data as LogQLQuery).expr).toBe('{app="api"}');
  });

  it('turns log frames into annotation events', () => {
    const events = annotationEventsFromFrames(
      {
        enable: true,
        name: 'deploys',
        iconColor: 'red',
        target: { refId: 'Anno', expr: '{app="api"}', tagKeys: 'app', titleFormat: '{{app}} deploy' },
      },
      [logsFrame(['deployed v2'])],
    );
    expect(events).toEqual([{ time: 1000, title: 'api deploy', text: 'deployed v2', tags: ['api'] }]);
  });

  it('prepares annotation queries from log queries only', () => {
    const ds = makeDs();
    const anno = ds.annotations!.prepareAnnotation!({ expr: '{app="api"}' } as any);
    expect(anno.target).toMatchObject({ expr: '{app="api"}' });
    expect(ds.annotations!.prepareQuery!(anno as any)).toMatchObject({ expr: '{app="api"}', maxLines: 100 });
    expect(
      ds.annotations!.prepareQuery!({ ...anno, target: { refId: 'A', expr: 'rate({a="b"}[1m])' } } as any),
    ).toBeUndefined();
  });

  it('translates with the engine as dialect', async () => {
    const ds = makeDs({ engine: 'postgres' });
    const spy = vi.spyOn(ds, 'getResource').mockResolvedValue({ sql: [], tsStages: [], explain: '' });
    await ds.translate('{app="$app"}');
    expect(spy).toHaveBeenCalledWith('translate', { query: '{app="a"}', dialect: 'postgres' });
  });
});
