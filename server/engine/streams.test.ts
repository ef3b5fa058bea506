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
