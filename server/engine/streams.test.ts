import { describe, expect, it } from 'vitest';
import { StreamCatalog } from './streams';
import type { Driver, Row } from '../sql/driver';

/** A driver whose `streams` table the test sets, answering after a turn of the event loop; counts its loads. */
function fakeDriver() {
  const state = { rows: [] as Row[], loads: 0 };
  const driver: Driver = {
    engine: 'duckdb',
    query: async <T extends Row>() => {
      state.loads++;
      const rows = state.rows;
      await new Promise((r) => setTimeout(r, 5));
      return rows as T[];
    },
    exec: async () => undefined,
    close: async () => undefined,
  };
  return { driver, state };
}

const row = (id: number) => ({
  id: BigInt(id),
  labels: `{"app":"a${id}"}`,
  first_ts: 1n,
  last_ts: 2n,
  json_quirks: false,
});

describe('StreamCatalog', () => {
  it('never reloads on its own without an age limit, and reloads once invalidated', async () => {
    const { driver, state } = fakeDriver();
    const c = new StreamCatalog(driver, Infinity);
    state.rows = [row(1)];
    expect((await c.all()).length).toBe(1);
    state.rows = [row(1), row(2)];
    expect((await c.all()).length).toBe(1);
    c.invalidate();
    expect((await c.all()).length).toBe(2);
    expect(state.loads).toBe(2);
  });

  it('makes every reader wait for a load under way, and loads again after an invalidation during one', async () => {
    const { driver, state } = fakeDriver();
    const c = new StreamCatalog(driver, Infinity);
    state.rows = [row(1), row(2)];
    const [a, b] = await Promise.all([c.all(), c.all()]);
    expect([a.length, b.length, state.loads]).toEqual([2, 2, 1]);
    c.invalidate();
    const during = c.all();
    state.rows = [row(1), row(2), row(3)]; // written while the load reads
    c.invalidate();
    expect((await during).length).toBe(2);
    expect((await c.all()).length).toBe(3);
  });
});

describe('StreamCatalog on a native DuckDB database', () => {
  it('follows pushes as they commit without reading streams again, and equals a fresh load', async () => {
    const { Engine } = await import('./engine');
    const e = await Engine.open('duckdb::memory:');
    try {
      const T = 1_700_000_000_000_000_000n;
      const at = (s: number) => T + BigInt(s) * 1_000_000_000n;
      await e.push([{ labels: { app: 'a' }, entries: [{ ts: at(10), line: 'x' }] }]);
      await e.catalog.all();
      let loads = 0;
      const query = e.driver.query.bind(e.driver);
      e.driver.query = ((sql: string, ...rest: never[]) => {
        if (/FROM streams/.test(sql)) loads++;
        return query(sql, ...rest);
      }) as typeof e.driver.query;
      // widened both ways, a new label set, a quirky JSON line, entries out of order (the staged path)
      await e.push([{ labels: { app: 'a' }, entries: [{ ts: at(20), line: 'y' }] }]);
      await e.push([
        {
          labels: { app: 'a' },
          entries: [
            { ts: at(5), line: 'z' },
            { ts: at(3), line: 'w' },
          ],
        },
      ]);
      await e.push([{ labels: { app: 'b', env: 'p' }, entries: [{ ts: at(7), line: '{"a":NaN}' }] }]);
      await e.push([{ labels: { app: 'a' }, entries: [{ ts: at(30), line: '{"v":1,}' }] }]);
      const followed = [...(await e.catalog.all())].sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(loads).toBe(0);
      const fresh = [...(await new StreamCatalog(e.driver, Infinity).all())].sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(followed).toEqual(fresh);
      expect(followed.map((s) => [s.labels.app, s.firstTs - T, s.lastTs - T, s.jsonQuirks])).toEqual(
        expect.arrayContaining([
          ['a', 3_000_000_000n, 30_000_000_000n, true],
          ['b', 7_000_000_000n, 7_000_000_000n, true],
        ]),
      );
    } finally {
      await e.close();
    }
  });
});
