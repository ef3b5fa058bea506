// Demo data for `serve --demo`: a fresh database gets `hours` of history; a database that already holds demo data
// gets the span from its newest demo entry to now (at most `hours`), so a restart leaves no hole in the dashboards.
// A database holding other data and no demo streams is left alone.

import type { EngineApi } from '../engine/types';
import { discoverFields, LOKI_DISCOVERY } from '../ingest/discover';
import { DEMO_APPS, generateDemo } from './generate';

export interface DemoLoadOptions {
  /** hours of history for an empty database, and the longest backfill */
  hours: number;
  /** ns (default: the clock) */
  now?: bigint;
  /** default 300, the rate `serve --demo` always used */
  linesPerMinute?: number;
}

export interface DemoLoadResult {
  /** full: an empty database got the whole history; backfill: the gap since the newest demo entry was filled;
   *  skipped: the database holds other data */
  kind: 'full' | 'backfill' | 'skipped';
  entries: number;
  /** ns: the generated span [from, to); `to` is where a trickle should continue */
  from: bigint;
  to: bigint;
}

const MAX_NS = 9_223_372_036_854_775_807n;
const DEMO_SELECTOR = `{app=~"${DEMO_APPS.join('|')}"}`;

/** Timestamp of the newest demo entry stored, if any. */
export async function newestDemoEntry(engine: Pick<EngineApi, 'query'>, now: bigint): Promise<bigint | undefined> {
  const r = await engine.query({
    query: DEMO_SELECTOR,
    start: 0n,
    end: now + 1n,
    instant: false,
    limit: 1,
    direction: 'backward',
  });
  if (r.data.resultType !== 'streams') return undefined;
  let newest: bigint | undefined;
  for (const s of r.data.result) for (const e of s.entries) if (newest === undefined || e.ts > newest) newest = e.ts;
  return newest;
}

export async function loadDemo(
  engine: Pick<EngineApi, 'query' | 'push' | 'labelNames'>,
  opts: DemoLoadOptions,
): Promise<DemoLoadResult> {
  const now = opts.now ?? BigInt(Date.now()) * 1_000_000n;
  const earliest = now - BigInt(Math.round(opts.hours * 3600)) * 1_000_000_000n;
  const newest = await newestDemoEntry(engine, now);
  let kind: DemoLoadResult['kind'];
  let from: bigint;
  if (newest !== undefined) {
    kind = 'backfill';
    from = newest + 1n > earliest ? newest + 1n : earliest;
  } else if ((await engine.labelNames(0n, MAX_NS)).length === 0) {
    kind = 'full';
    from = earliest;
  } else {
    return { kind: 'skipped', entries: 0, from: now, to: now };
  }
  if (from >= now) return { kind, entries: 0, from: now, to: now };
  // the seed varies with the span so that a backfill does not repeat the first history's lines
  const seed = kind === 'full' ? 1 : Number(from % 1_000_003n) + 2;
  const streams = generateDemo({ start: from, end: now, linesPerMinute: opts.linesPerMinute ?? 300, seed });
  // stored as Loki stores a push with its defaults: dashboards group by detected_level on streams without `level`
  discoverFields(streams, LOKI_DISCOVERY);
  const { entries } = streams.length > 0 ? await engine.push(streams) : { entries: 0 };
  return { kind, entries, from, to: now };
}
