// `npm run bench`, PostgreSQL and ClickHouse columns: the same data and queries as the DuckDB table, on each engine,
// each query timed through our engine and as hand-written SQL for that engine (the ratio is ours ÷ hand-written).
//   PostgreSQL: $BENCH_POSTGRES_URL (an empty database we may create tables in), else a fresh database on the local
//               Debian cluster (tests/matrix/engines.ts starts it and creates the role); skipped with a note when
//               neither is available.
//   ClickHouse: chDB in-process in a temporary directory ($BENCH_CLICKHOUSE_URL = clickhouse://… for a server).
// BENCH_ENGINES=postgres,clickhouse picks engines (duckdb alone: only the DuckDB table).
import type { QueryRequest, PushStream } from '../server/engine/types';
import { Engine } from '../server/engine/engine';

const NS_MIN = 60_000_000_000n;

export interface BenchCase {
  name: string;
  req: QueryRequest;
  /** hand-written SQL per engine */
  sql: Record<'postgres' | 'clickhouse', string>;
}

export function engineCases(start: bigint, end: bigint): BenchCase[] {
  const S = start;
  const steps = Number((end - start) / NS_MIN);
  const base = { start, end, step: NS_MIN, instant: false, limit: 100, direction: 'backward' as const };
  const chIds = (app: string) =>
    `stream_id IN (SELECT id FROM streams WHERE JSONExtractString(labels, 'app') = '${app}')`;
  const pgIds = (app: string) => `stream_id IN (SELECT id FROM streams WHERE labels::jsonb ->> 'app' = '${app}')`;
  return [
    {
      name: 'log query: {app="api-gateway"} |= "error", limit 100',
      req: { ...base, query: '{app="api-gateway"} |= "error"', step: undefined },
      sql: {
        postgres: `SELECT e.ts, e.line, s.labels FROM entries e JOIN streams s ON s.id = e.stream_id
                   WHERE s.labels::jsonb ->> 'app' = 'api-gateway' AND strpos(e.line, 'error') > 0
                     AND e.ts >= ${start} AND e.ts < ${end} ORDER BY e.ts DESC LIMIT 100`,
        clickhouse: `SELECT ts, line, stream_id FROM entries WHERE ${chIds('api-gateway')} AND position(line, 'error') > 0
                     AND ts >= ${start} AND ts < ${end} ORDER BY ts DESC LIMIT 100`,
      },
    },
    {
      name: 'sum by (level) (count_over_time({app="api-gateway"}[1m])), 6 h at 1 m',
      req: { ...base, query: 'sum by (level) (count_over_time({app="api-gateway"}[1m]))' },
      sql: {
        postgres: `SELECT s.labels::jsonb ->> 'level' AS level, (e.ts - ${S} + ${NS_MIN - 1n}) / ${NS_MIN} AS k, count(*) AS n
                   FROM entries e JOIN streams s ON s.id = e.stream_id
                   WHERE s.labels::jsonb ->> 'app' = 'api-gateway' AND e.ts > ${S - NS_MIN} AND e.ts < ${end} GROUP BY 1, 2`,
        clickhouse: `SELECT stream_id, intDiv(ts - ${S} + ${NS_MIN - 1n}, ${NS_MIN}) AS k, count() AS n FROM entries
                     WHERE ${chIds('api-gateway')} AND ts > ${S - NS_MIN} AND ts < ${end} GROUP BY stream_id, k`,
      },
    },
    {
      name: 'rate({app="nginx"}[5m]) at a 1 m step (overlapping windows)',
      req: { ...base, query: 'rate({app="nginx"}[5m])' },
      sql: {
        postgres: `WITH b AS (SELECT stream_id, (ts - ${S} + ${NS_MIN - 1n}) / ${NS_MIN} AS c, count(*) AS n FROM entries
                              WHERE ${pgIds('nginx')} AND ts >= ${S - 5n * NS_MIN} AND ts < ${end} GROUP BY 1, 2)
                   SELECT stream_id, c + j AS k, sum(n) / 300.0 AS rate FROM b, generate_series(0, 4) AS t(j)
                   WHERE c + j BETWEEN 0 AND ${steps} GROUP BY 1, 2`,
        clickhouse: `SELECT stream_id, c + j AS k, sum(n) / 300.0 AS rate FROM (
                       SELECT stream_id, intDiv(ts - ${S} + ${NS_MIN - 1n}, ${NS_MIN}) AS c, count() AS n FROM entries
                       WHERE ${chIds('nginx')} AND ts >= ${S - 5n * NS_MIN} AND ts < ${end} GROUP BY stream_id, c)
                     ARRAY JOIN range(5) AS j WHERE c + j BETWEEN 0 AND ${steps} GROUP BY stream_id, k`,
      },
    },
    {
      name: 'quantile_over_time(0.99, {app="api-gateway"} | json | unwrap latency_ms [5m]) by (service_name)',
      req: {
        ...base,
        query: 'quantile_over_time(0.99, {app="api-gateway"} | json | unwrap latency_ms [5m]) by (service_name)',
      },
      sql: {
        postgres: `SELECT s.labels::jsonb ->> 'service_name' AS svc, k,
                          percentile_cont(0.99) WITHIN GROUP (ORDER BY (e.line::json ->> 'latency_ms')::float8) AS q
                   FROM entries e JOIN streams s ON s.id = e.stream_id,
                        generate_series(greatest((e.ts - ${S} + ${NS_MIN - 1n}) / ${NS_MIN}, 0), (e.ts - ${S} + ${5n * NS_MIN - 1n}) / ${NS_MIN}) AS t(k)
                   WHERE s.labels::jsonb ->> 'app' = 'api-gateway' AND e.ts > ${S - 5n * NS_MIN} AND e.ts < ${end}
                   GROUP BY 1, 2`,
        clickhouse: `SELECT stream_id, k, quantileExactInclusive(0.99)(JSONExtractFloat(line, 'latency_ms')) AS q FROM entries
                     ARRAY JOIN range(toInt64(greatest(intDiv(ts - ${S} + ${NS_MIN - 1n}, ${NS_MIN}), 0)),
                                      toInt64(intDiv(ts - ${S} + ${5n * NS_MIN - 1n}, ${NS_MIN}) + 1)) AS k
                     WHERE ${chIds('api-gateway')} AND ts > ${S - 5n * NS_MIN} AND ts < ${end} GROUP BY stream_id, k`,
      },
    },
  ];
}

async function postgresUrl(): Promise<{ url: string; drop: () => Promise<void> } | string> {
  if (process.env.BENCH_POSTGRES_URL) return { url: process.env.BENCH_POSTGRES_URL, drop: async () => undefined };
  try {
    const { createPostgresDatabase } = await import('../tests/matrix/engines');
    return await createPostgresDatabase('logqlsql_bench');
  } catch (e) {
    return (e as Error).message;
  }
}

export interface EngineBenchRow {
  name: string;
  ours: number;
  hand: number;
  tsStages: string[];
}

/** Load `streams` into each engine and time every case; prints one table per engine and returns the rows. */
export async function benchEngines(
  streams: PushStream[],
  start: bigint,
  end: bigint,
  time: (fn: () => Promise<unknown>) => Promise<number>,
): Promise<Record<string, EngineBenchRow[] | string>> {
  const out: Record<string, EngineBenchRow[] | string> = {};
  const total = streams.reduce((n, s) => n + s.entries.length, 0);
  const want = process.env.BENCH_ENGINES?.split(',');
  for (const name of (['postgres', 'clickhouse'] as const).filter((e) => !want || want.includes(e))) {
    let url: string;
    let drop = async () => undefined as void;
    if (name === 'postgres') {
      const pg = await postgresUrl();
      if (typeof pg === 'string') {
        out[name] = `skipped: ${pg}`;
        console.log(`\n${name}: skipped (${pg})`);
        continue;
      }
      url = pg.url;
      drop = pg.drop;
    } else {
      url = process.env.BENCH_CLICKHOUSE_URL ?? 'chdb::memory:';
    }
    const engine = await Engine.open(url);
    try {
      const t0 = performance.now();
      for (let i = 0; i < streams.length; i += 20) await engine.push(streams.slice(i, i + 20));
      const ms = performance.now() - t0;
      // as autovacuum would soon after a load: statistics, and the visibility map that lets both our SQL and the
      // hand-written SQL use index-only scans (without it, whichever runs first pays for heap visits)
      if (name === 'postgres') await engine.driver.exec('VACUUM ANALYZE');
      console.log(
        `\n${name}: loaded ${total.toLocaleString()} rows through the ingester in ${(ms / 1000).toFixed(1)} s (${Math.round((total / ms) * 1000).toLocaleString()} rows/s)`,
      );
      console.log(
        `${'query'.padEnd(100)} ${'ours ms'.padStart(9)} ${'hand SQL ms'.padStart(12)} ${'ratio'.padStart(7)}`,
      );
      const rows: EngineBenchRow[] = [];
      for (const c of engineCases(start, end)) {
        const res = await engine.query(c.req);
        const ours = await time(() => engine.query(c.req));
        const hand = await time(() => engine.driver.query(c.sql[name]));
        const stages = [...new Set(res.stats.tsStages)];
        rows.push({ name: c.name, ours, hand, tsStages: stages });
        console.log(
          `${c.name.padEnd(100)} ${ours.toFixed(1).padStart(9)} ${hand.toFixed(1).padStart(12)} ${(ours / hand).toFixed(2).padStart(7)}` +
            (stages.length ? ` (TypeScript stages: ${stages.join('; ')})` : ''),
        );
      }
      out[name] = rows;
    } finally {
      await engine.close();
      await drop();
    }
  }
  return out;
}
