import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine';
import type { EngineApi } from '../engine/types';
import { loadDemo, newestDemoEntry } from './load';

const T = 1_795_168_800_000_000_000n; // 2026-11-20T10:00:00Z
const MIN = 60_000_000_000n;

/** Demo lines per minute over [from, to), from the database. */
async function perMinute(engine: EngineApi, from: bigint, to: bigint): Promise<number[]> {
  const r = await engine.query({
    query: 'sum(count_over_time({app=~".+"}[1m]))',
    start: from + MIN,
    end: to,
    step: MIN,
    instant: false,
    limit: 100,
    direction: 'backward',
  });
  if (r.data.resultType !== 'matrix') throw new Error(r.data.resultType);
  const byTime = new Map((r.data.result[0]?.values ?? []).map(([t, v]) => [t, v]));
  const out: number[] = [];
  for (let t = from + MIN; t <= to; t += MIN) out.push(byTime.get(Number(t / 1_000_000n)) ?? 0);
  return out;
}

describe('loadDemo (serve --demo)', () => {
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it('fills an empty database, then backfills the gap a restart left, without overlap', async () => {
    engine = await Engine.open('duckdb::memory:');
    const first = await loadDemo(engine, { hours: 1, now: T });
    expect(first).toMatchObject({ kind: 'full', from: T - 60n * MIN, to: T });
    expect(first.entries).toBe(18_000);
    const newest = await newestDemoEntry(engine, T);
    expect(newest !== undefined && newest < T && newest >= T - MIN).toBe(true);

    // "restart" 20 minutes later: only the 20 missing minutes are generated
    const again = await loadDemo(engine, { hours: 1, now: T + 20n * MIN });
    expect(again.kind).toBe('backfill');
    expect(again.from).toBe(newest! + 1n);
    expect(again.to).toBe(T + 20n * MIN);
    expect(again.entries).toBeGreaterThan(5_900);
    expect(again.entries).toBeLessThan(6_100);
    const counts = await perMinute(engine, T - 60n * MIN, T + 20n * MIN);
    expect(counts).toHaveLength(80);
    // no hole (every minute has lines) and no doubled minute across the restart
    for (const c of counts) {
      expect(c).toBeGreaterThan(250);
      expect(c).toBeLessThan(350);
    }

    // a long outage backfills at most `hours`
    const late = await loadDemo(engine, { hours: 1, now: T + 10n * 60n * MIN });
    expect(late).toMatchObject({ kind: 'backfill', from: T + 9n * 60n * MIN, entries: 18_000 });
    // right after, only the sub-second gap after the newest line is left
    expect((await loadDemo(engine, { hours: 1, now: T + 10n * 60n * MIN })).entries).toBeLessThanOrEqual(1);
  });

  it('leaves a database holding other data alone', async () => {
    engine = await Engine.open('duckdb::memory:');
    await engine.push([{ labels: { job: 'mine' }, entries: [{ ts: T - MIN, line: 'my own line' }] }]);
    expect(await loadDemo(engine, { hours: 1, now: T })).toMatchObject({ kind: 'skipped', entries: 0 });
  });
});
