// The config editor's live check of an unsaved table mapping (resource mapping/check), against a real table on every
// engine: a right mapping names the table and counts its streams, a wrong one says what is wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../engine/engine';
import { enginesToTest } from '../../tests/engines';
import { handleResource } from './resources';
import { parseSettings } from './settings';

const engines = await enginesToTest();

const DDL: Record<string, string[]> = {
  duckdb: [
    'CREATE TABLE applogs (ts TIMESTAMP, msg VARCHAR, app VARCHAR)',
    "INSERT INTO applogs VALUES (now(), 'a', 'api'), (now(), 'b', 'web')",
  ],
  postgres: [
    'CREATE TABLE applogs (ts timestamptz, msg text, app text)',
    "INSERT INTO applogs VALUES (now(), 'a', 'api'), (now(), 'b', 'web')",
  ],
  clickhouse: [
    'CREATE TABLE applogs (ts DateTime64(9), msg String, app String) ENGINE = MergeTree ORDER BY ts',
    "INSERT INTO applogs VALUES (now64(9), 'a', 'api'), (now64(9), 'b', 'web')",
  ],
};

describe.each(engines)('mapping/check on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  const config = parseSettings({ jsonData: '{}' });
  const check = async (mapping: unknown) => {
    const res = await handleResource(engine, config, {
      method: 'GET',
      path: 'mapping/check',
      url: `mapping/check?mapping=${encodeURIComponent(JSON.stringify(mapping))}`,
    });
    return { status: res.status, body: JSON.parse(res.body.toString()) as Record<string, unknown> };
  };
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    for (const sql of DDL[te.name]!) await engine.driver.query(sql);
    await engine.push([{ labels: { app: 'native' }, entries: [{ ts: BigInt(Date.now()) * 1_000_000n, line: 'x' }] }]);
  });
  afterAll(async () => {
    await engine?.close();
  });

  it.skipIf(!!skip)('accepts a mapping that fits the table and counts its streams', async () => {
    const ok = await check({
      mode: 'flat',
      table: 'applogs',
      timestampColumn: 'ts',
      bodyColumn: 'msg',
      labelColumns: ['app'],
    });
    expect(ok).toEqual({ status: 200, body: { ok: true, describe: expect.stringContaining('applogs'), streams: 2 } });
    expect((await check({ mode: 'native' })).body).toMatchObject({ ok: true, streams: 1 });
  });

  it.skipIf(!!skip)('says what is wrong with a mapping that does not fit', async () => {
    const noCol = await check({ mode: 'flat', table: 'applogs', timestampColumn: 'time', bodyColumn: 'msg' });
    expect(noCol.body.ok).toBe(false);
    expect(noCol.body.error).toMatch(/no timestamp column "time" \(columns: ts, msg, app\)/);
    const noTable = await check({ mode: 'otel' });
    expect(noTable.body).toMatchObject({ ok: false, error: expect.stringMatching(/otel_logs.*not found/) });
    const badName = await check({
      mode: 'flat',
      table: 'applogs; DROP TABLE x',
      timestampColumn: 'ts',
      bodyColumn: 'msg',
    });
    expect(badName.body).toMatchObject({ ok: false, error: expect.stringMatching(/invalid table name/) });
    expect((await check({ mode: 'flat' })).body).toMatchObject({
      ok: false,
      error: expect.stringMatching(/needs a table/),
    });
    expect((await check({ mode: 'sideways' })).status).toBe(400);
  });
});
