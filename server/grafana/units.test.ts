import { describe, expect, it } from 'vitest';
import { createHclogLogger, hclogTimestamp } from './hclog';
import { calculateStepMs, prepareQuery, QueryModelError } from './query';
import { parseSettings, SettingsError } from './settings';
import { checkPluginEnv } from './plugin';
import { parseHostPort } from './server';

const q = (json: unknown, extra: Record<string, unknown> = {}) => ({
  refId: 'A',
  timeRange: { fromEpochMS: 1_000_000, toEpochMS: 1_000_000 + 3_600_000 },
  json: Buffer.from(JSON.stringify(json)),
  ...extra,
});

describe('query model', () => {
  it('steps like Grafana’s Loki data source', () => {
    expect(calculateStepMs({ rangeMs: 3_600_000, intervalMS: 2000 })).toBe(2000);
    // safe step: range / 11000, rounded up to a ms
    expect(calculateStepMs({ rangeMs: 30 * 86_400_000, intervalMS: 1000 })).toBe(Math.ceil((30 * 86_400_000) / 11000));
    expect(calculateStepMs({ rangeMs: 3_600_000, intervalMS: 2000, resolution: 2 })).toBe(4000);
    expect(calculateStepMs({ rangeMs: 3_600_000, intervalMS: 2000, step: '1m' })).toBe(60_000);
    expect(calculateStepMs({ rangeMs: 3_600_000, step: 30 })).toBe(30_000);
    expect(calculateStepMs({ rangeMs: 3_600_000, maxDataPoints: 100 })).toBe(36_000);
    expect(calculateStepMs({ rangeMs: 3_600_000 })).toBe(14_000); // Loki default: floor(range/250 s)
    expect(() => calculateStepMs({ rangeMs: 1, step: '5 parsecs' })).toThrow(QueryModelError);
  });

  it('builds range, instant and log requests', () => {
    const r = prepareQuery(q({ expr: ' rate({a="b"}[1m]) ', legendFormat: '{{a}}' }, { intervalMS: 15_000 }), {
      maxLines: 1000,
    });
    expect(r.request).toMatchObject({
      query: 'rate({a="b"}[1m])',
      instant: false,
      step: 15_000_000_000n,
      limit: 1000,
      direction: 'backward',
    });
    expect(r.request.start).toBe(1_000_000_000_000n);
    const i = prepareQuery(q({ expr: 'x', queryType: 'instant' }), { maxLines: 1000 });
    expect(i.request).toMatchObject({ instant: true, start: 4_600_000_000_000n, end: 4_600_000_000_000n });
    const legacy = prepareQuery(q({ expr: 'x', instant: true }), { maxLines: 1000 });
    expect(legacy.request.instant).toBe(true);
    const l = prepareQuery(q({ expr: '{a="b"}', maxLines: 20, direction: 'forward' }), { maxLines: 1000 });
    expect(l.request).toMatchObject({ limit: 20, direction: 'forward' });
    expect(() => prepareQuery(q({ expr: 'x', direction: 'up' }), { maxLines: 1 })).toThrow(/direction/);
    expect(() => prepareQuery(q({ expr: 'x', maxLines: -1 }), { maxLines: 1 })).toThrow(/maxLines/);
    expect(() => prepareQuery(q({ expr: 'x', queryType: 'sideways' }), { maxLines: 1 })).toThrow(/queryType/);
  });
});

describe('settings', () => {
  const s = (jsonData: unknown, extra: Record<string, unknown> = {}) => ({
    uid: 'u',
    jsonData: Buffer.from(JSON.stringify(jsonData)),
    ...extra,
  });
  it('builds database URLs, with the secure password', () => {
    expect(parseSettings(s({})).dbUrl).toBe('duckdb::memory:');
    expect(parseSettings(s({ engine: 'duckdb', path: './x.duckdb' })).dbUrl).toBe('duckdb:./x.duckdb');
    const pg = parseSettings(
      s(
        { engine: 'postgres', host: 'db', port: 5433, database: 'logs', user: 'me' },
        { decryptedSecureJsonData: { password: 'p@ss' } },
      ),
    );
    expect(pg.dbUrl).toBe('postgres://me:p%40ss@db:5433/logs');
    expect(pg.displayUrl).toBe('postgres://me:***@db:5433/logs');
    expect(parseSettings(s({ url: 'clickhouse://ch:8123/default' })).engine).toBe('clickhouse');
    expect(parseSettings(s({ maxLines: '50', timeout: '2m' }))).toMatchObject({ maxLines: 50, timeoutMs: 120_000 });
  });
  it('names the bad setting', () => {
    expect(() => parseSettings(s({ engine: 'oracle' }))).toThrow(SettingsError);
    expect(() => parseSettings(s({ maxLines: 0 }))).toThrow(/maxLines/);
    expect(() => parseSettings(s({ tableMapping: { mode: 'flat' } }))).toThrow(/needs a table/);
    expect(() => parseSettings({ jsonData: Buffer.from('{') })).toThrow(/not valid JSON/);
  });
});

describe('plugin env and logging', () => {
  it('checks the magic cookie and protocol versions', () => {
    expect(checkPluginEnv({ grafana_plugin_type: 'datasource', PLUGIN_PROTOCOL_VERSIONS: '2' })).toBeUndefined();
    expect(checkPluginEnv({ grafana_plugin_type: 'datasource', PLUGIN_PROTOCOL_VERSIONS: '1,2' })).toBeUndefined();
    expect(checkPluginEnv({})).toMatch(/grafana_plugin_type=datasource/);
    expect(checkPluginEnv({ grafana_plugin_type: 'app' })).toMatch(/got "app"/);
    expect(checkPluginEnv({ grafana_plugin_type: 'datasource', PLUGIN_PROTOCOL_VERSIONS: '1' })).toMatch(/version 2/);
  });
  it('writes hclog JSON with string @level/@message/@timestamp (6 fractional digits)', () => {
    const lines: string[] = [];
    const log = createHclogLogger({ level: 'debug', write: (l) => lines.push(l) });
    log.info('hello', { n: 1n, '@level': 3, err: new Error('boom') });
    log.trace('dropped');
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!);
    expect(rec['@level']).toBe('info');
    expect(rec['@message']).toBe('hello');
    expect(rec['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(rec).toMatchObject({ n: '1', _level: 3, err: 'boom' });
    expect(hclogTimestamp(new Date(Date.UTC(2026, 10, 20, 10, 0, 0, 123)))).toBe('2026-11-20T10:00:00.123000Z');
  });
  it('parses --grpc addresses', () => {
    expect(parseHostPort('0.0.0.0:10001')).toEqual({ host: '0.0.0.0', port: 10001 });
    expect(parseHostPort(':9')).toEqual({ host: '127.0.0.1', port: 9 });
    expect(parseHostPort('[::1]:9')).toEqual({ host: '::1', port: 9 });
    expect(() => parseHostPort('nope')).toThrow();
  });
});
