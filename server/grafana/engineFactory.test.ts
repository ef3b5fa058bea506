// The data source's table mapping reaches the engine: a Grafana data source configured for an existing flat table
// answers LogQL over it, and a wrong mapping fails with a message naming the problem.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBDriver } from '../sql/dialects/duckdb/driver';
import { defaultEngineFactory } from './engineFactory';
import { parseSettings } from './settings';

describe('engine factory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logqlsql-factory-'));
  const path = join(dir, 'existing.duckdb');
  beforeAll(async () => {
    const d = await DuckDBDriver.open({ path });
    await d.exec(`CREATE TABLE app_logs (time TIMESTAMP, msg VARCHAR, app VARCHAR, level VARCHAR);
      INSERT INTO app_logs VALUES
        ('2026-11-20 10:00:01', 'user login ok', 'auth', 'info'),
        ('2026-11-20 10:00:02', 'user login failed', 'auth', 'warn'),
        ('2026-11-20 10:00:03', 'order placed', 'shop', 'info');`);
    await d.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const settings = (tableMapping: object) =>
    parseSettings({ uid: 'x', jsonData: JSON.stringify({ engine: 'duckdb', path, tableMapping }) });

  it('opens a flat table mapping from the data source settings', async () => {
    const engine = await defaultEngineFactory(
      settings({
        mode: 'flat',
        table: 'app_logs',
        timestampColumn: 'time',
        bodyColumn: 'msg',
        labelColumns: ['app', 'level'],
      }),
    );
    try {
      const start = BigInt(Date.UTC(2026, 10, 20, 10)) * 1_000_000n;
      const res = await engine.query({
        query: '{app="auth"} |= "login"',
        start,
        end: start + 60_000_000_000n,
        instant: false,
        limit: 10,
        direction: 'forward',
      });
      expect(
        res.data.resultType === 'streams' && res.data.result.map((s) => [s.labels, s.entries.map((e) => e.line)]),
      ).toEqual([
        [{ app: 'auth', level: 'info' }, ['user login ok']],
        [{ app: 'auth', level: 'warn' }, ['user login failed']],
      ]);
    } finally {
      await engine.close();
    }
  });

  it('names what is wrong with a mapping', async () => {
    await expect(
      defaultEngineFactory(settings({ mode: 'flat', table: 'nope', timestampColumn: 'time', bodyColumn: 'msg' })),
    ).rejects.toThrow(/nope/);
    await expect(defaultEngineFactory(settings({ mode: 'map', table: 'app_logs' }))).rejects.toThrow(
      /needs a timestamp column|needs a table/,
    );
  });
});
