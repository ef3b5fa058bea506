// Existing tables (issue 3 §3) on every engine of the matrix: a flat and an OTel fixture holding the conformance data
// set answer every conformance case as Loki did; a bad mapping fails with one clear message naming what is wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/engine/engine';
import { openDriver } from '../../server/sql/open';
import { LogQLError } from '../../server/logql/errors';
import { MappingError, parseMapping, type MappingConfig } from '../../server/schema/mapping';
import { compare, loadCases, loadDataset, runCase } from '../conformance/cases';
import { MATRIX_ENGINES, matrixDatabase, unavailable, type EngineHandle } from './engines';
import { FLAT_TABLE, OTEL_TABLE, createFlatFixture, createOtelFixture } from './fixtures';
import type { Driver } from '../../server/sql/driver';

const only = process.env.LOGQLSQL_MATRIX?.split(',');

for (const name of MATRIX_ENGINES.filter((e) => !only || only.includes(e))) {
  const why = await unavailable(name);
  if (why) console.warn(`\n*** SKIPPED: existing-table mappings on ${name}: ${why} ***\n`);

  describe.skipIf(why !== undefined)(`existing tables on ${name}`, () => {
    let db: EngineHandle;
    let driver: Driver;
    const engines: Record<string, Engine> = {};
    // engines share the one driver (closed once, at the end)
    const shared = () =>
      new Proxy(driver, { get: (t, p) => (p === 'close' ? async () => undefined : Reflect.get(t, p, t)) });
    beforeAll(async () => {
      db = await matrixDatabase(name);
      driver = await openDriver(db.url);
      const data = loadDataset();
      await createFlatFixture(driver, data);
      await createOtelFixture(driver, data);
      engines.flat = await Engine.openWith(shared(), {
        mapping: { layout: 'flat', table: FLAT_TABLE, timestamp: 'ts', line: 'message' },
      });
      engines.otel = await Engine.openWith(shared(), { mapping: { layout: 'otel' } });
    });
    afterAll(async () => {
      await driver?.close();
      await db?.cleanup();
    });

    for (const layout of ['flat', 'otel']) {
      for (const c of loadCases()) {
        it(`${layout}: ${c.id}: ${c.params.query ?? c.path}`, async () => {
          const engine = engines[layout];
          if (c.status !== 200) {
            const err = await runCase(engine, c).then(
              () => undefined,
              (e: unknown) => e,
            );
            expect(err).toBeInstanceOf(LogQLError);
            return;
          }
          expect(compare(c, await runCase(engine, c))).toBeUndefined();
        });
      }
    }

    const bad = async (m: MappingConfig) =>
      Engine.openWith(shared(), { mapping: m }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );

    it('names a missing table', async () => {
      const e = await bad({ layout: 'flat', table: 'nope', timestamp: 'ts', line: 'message' });
      expect(e).toBeInstanceOf(MappingError);
      expect(e!.message).toMatch(/table "nope" not found/);
    });
    it('names a missing column and lists the columns', async () => {
      const e = await bad({ layout: 'flat', table: FLAT_TABLE, timestamp: 'time', line: 'message' });
      expect(e!.message).toMatch(/has no timestamp column "time" \(columns: ts, message, /);
    });
    it('names a wrongly typed column', async () => {
      const e = await bad({ layout: 'map', table: FLAT_TABLE, timestamp: 'ts', line: 'message', labels: 'app' });
      expect(e!.message).toMatch(/column "app" of "logs_flat" is .*: the labels column must be map or json/);
      const e2 = await bad({ layout: 'flat', table: FLAT_TABLE, timestamp: 'message', line: 'message' });
      expect(e2!.message).toMatch(/the timestamp column must be/);
    });
    it('refuses identifiers that would need quoting', async () => {
      const e = await bad({ layout: 'flat', table: 'logs"; DROP TABLE x; --', timestamp: 'ts', line: 'message' });
      expect(e).toBeInstanceOf(MappingError);
      expect(e!.message).toMatch(/invalid table name/);
    });
    it('discovers label names and values from the table', async () => {
      const all = [0n, 4_000_000_000_000_000_000n] as const;
      const flat = await engines.flat.labelNames(...all);
      const otel = await engines.otel.labelNames(...all);
      expect(flat).toEqual(otel);
      expect(flat).toContain('app');
      expect(await engines.otel.labelValues('app', ...all)).toEqual(await engines.flat.labelValues('app', ...all));
    });
    it('refuses pushes into a mapped table', async () => {
      await expect(engines.flat.push([{ labels: { a: '1' }, entries: [{ ts: 1n, line: 'x' }] }])).rejects.toThrow(
        /push is disabled/,
      );
    });
    it('maps OTel names as Loki shows them: service_name, attributes with _ , metadata', async () => {
      const ts = 1_795_168_800_000_000_000n;
      if (name === 'clickhouse') {
        await (driver as import('../../server/sql/dialects/clickhouse/driver').ClickHouseDriver).insertRows(
          OTEL_TABLE,
          [
            {
              Timestamp: '1795168800.000000000',
              TraceId: 'abc',
              SpanId: '',
              SeverityText: 'ERROR',
              ServiceName: 'checkout',
              Body: 'otel line',
              ResourceAttributes: { 'k8s.pod.name': 'p-1' },
              LogAttributes: { 'http.method': 'GET' },
            },
          ],
        );
      } else {
        const duck = name === 'duckdb';
        await driver.query(
          duck
            ? `INSERT INTO ${OTEL_TABLE} VALUES (make_timestamp_ns(${ts}), 'checkout', 'ERROR', 'otel line', MAP {'k8s.pod.name': 'p-1'}, MAP {'http.method': 'GET'}, 'abc', '')`
            : `INSERT INTO ${OTEL_TABLE} VALUES (${ts}, 'checkout', 'ERROR', 'otel line', '{"k8s.pod.name": "p-1"}', '{"http.method": "GET"}', 'abc', '')`,
        );
      }
      const engine = await Engine.openWith(shared(), { mapping: { layout: 'otel' } });
      const res = await engine.query({
        query: '{service_name="checkout"} | severity_text="ERROR"',
        start: ts,
        end: ts + 1n,
        instant: false,
        limit: 10,
        direction: 'forward',
      });
      const streams = (
        res.data as {
          result: { labels: Record<string, string>; entries: { line: string; metadata?: Record<string, string> }[] }[];
        }
      ).result;
      expect(streams).toHaveLength(1);
      expect(streams[0].labels).toMatchObject({ service_name: 'checkout', k8s_pod_name: 'p-1' });
      expect(streams[0].entries[0].line).toBe('otel line');
      expect(streams[0].entries[0].metadata).toEqual({ http_method: 'GET', severity_text: 'ERROR', trace_id: 'abc' });
    });
  });
}

describe('mapping specs', () => {
  it('parses flat, map and otel specs', () => {
    expect(parseMapping('flat:table=logs,ts=time,line=msg,labels=app|level')).toEqual({
      layout: 'flat',
      table: 'logs',
      timestamp: 'time',
      line: 'msg',
      labels: ['app', 'level'],
    });
    expect(parseMapping('map:table=logs,ts=t,line=l,labels=attrs')).toMatchObject({ layout: 'map', labels: 'attrs' });
    expect(parseMapping('otel')).toEqual({ layout: 'otel', table: undefined });
    expect(() => parseMapping('flat:table=logs')).toThrow(/missing ts=/);
    expect(() => parseMapping('csv:x=1')).toThrow(/unknown mapping layout/);
  });
  it('reads a mapping from the database URL fragment (serve --db URL#mapping)', async () => {
    await expect(Engine.open('duckdb::memory:#flat:table=nope,ts=t,line=l')).rejects.toThrow(
      /table "nope" not found in the duckdb database/,
    );
    await expect(Engine.open('duckdb::memory:#otel')).rejects.toThrow(/table "otel_logs" not found/);
  });
});
