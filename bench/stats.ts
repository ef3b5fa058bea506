// What Loki's processed-lines statistics cost (server/stats/processed.ts): the time spent counting, as a share of the
// queries' own time in the same runs (a share, not a difference of two runs, so a busy machine does not blur it) —
// cold (each query's hours counted in SQL) and warm (repeated ranges read from the per-hour cache).
import type { Engine } from '../server/engine/engine';
import type { QueryRequest } from '../server/engine/types';

interface Counter {
  count: (...a: unknown[]) => Promise<unknown>;
  clear(): void;
}

export interface StatsBench {
  queries: number;
  cold: { statsMs: number; totalMs: number };
  warm: { statsMs: number; totalMs: number };
}

export async function benchStatsOverhead(engine: Engine, reqs: QueryRequest[], rounds = 3): Promise<StatsBench> {
  // the engine's own counter, timed where it is called (bench code may look inside)
  const counter = (engine as unknown as { processed: Counter }).processed;
  const real = counter.count.bind(counter);
  let inStats = 0;
  counter.count = async (...a: unknown[]) => {
    const t0 = performance.now();
    try {
      return await real(...a);
    } finally {
      inStats += performance.now() - t0;
    }
  };
  const out: StatsBench = { queries: reqs.length, cold: { statsMs: 0, totalMs: 0 }, warm: { statsMs: 0, totalMs: 0 } };
  try {
    for (const r of reqs) await engine.query(r); // the database's own caches
    for (const mode of ['cold', 'warm'] as const) {
      if (mode === 'warm') for (const r of reqs) await engine.query(r); // every query's hours counted once
      for (let i = 0; i < rounds; i++) {
        for (const r of reqs) {
          if (mode === 'cold') counter.clear();
          inStats = 0;
          const t0 = performance.now();
          await engine.query(r);
          out[mode].totalMs += (performance.now() - t0) / rounds;
          out[mode].statsMs += inStats / rounds;
        }
      }
    }
  } finally {
    counter.count = real;
  }
  return out;
}

export function formatStatsBench(b: StatsBench): string {
  const pct = (m: { statsMs: number; totalMs: number }) => ((m.statsMs / m.totalMs) * 100).toFixed(1);
  return (
    `query statistics (processed lines/bytes) over ${b.queries} queries: cold ${b.cold.statsMs.toFixed(1)} of ` +
    `${b.cold.totalMs.toFixed(0)} ms (${pct(b.cold)}%), warm ${b.warm.statsMs.toFixed(1)} of ` +
    `${b.warm.totalMs.toFixed(0)} ms (${pct(b.warm)}%)`
  );
}
