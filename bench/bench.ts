// `npm run bench`: our engine against hand-written SQL on the same DuckDB and the same data, measured side by side in
// one run, plus ingest rows/s through the HTTP push API. Not a test: it prints numbers, it never fails on them.
import { Engine } from '../server/engine/engine';
import { generateDemo } from '../server/demo';
import type { QueryRequest } from '../server/engine/types';
import { pushSuiteThroughHttp, pushThroughHttp } from './ingest';
import { benchGrafana, formatGrafanaBench } from '../server/grafana/bench';
import { benchPerfSuite } from './perf/suite';
import { benchDemoGenerator, formatDemoBench } from './demo';
import { benchStatsOverhead, formatStatsBench } from './stats';

const NS_MIN = 60_000_000_000n;
const HOURS = Number(process.env.BENCH_HOURS ?? 6);
const LINES_PER_MIN = Number(process.env.BENCH_LINES_PER_MIN ?? 3400); // 6 h × 3400/min ≈ 1.22 M lines
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
// `npm run bench -- --scale 10m` (or BENCH_SCALE=10m): the public suite also at 10 M lines over 30 days;
// `--suite-only` (or BENCH_SUITE_ONLY=1): only the public suite (bench/perf/suite.ts)
const ARGV = process.argv.slice(2);
const SCALE = ARGV.includes('--scale') ? ARGV[ARGV.indexOf('--scale') + 1] : process.env.BENCH_SCALE;
const SUITE_ONLY = ARGV.includes('--suite-only') || process.env.BENCH_SUITE_ONLY === '1';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: caches, JIT, DuckDB's buffer manager
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return median(out);
}

async function main(): Promise<void> {
  if (SCALE !== undefined && SCALE !== '10m') throw new Error(`--scale: only 10m is known, not ${SCALE}`);
  await benchPerfSuite({ scale: SCALE });
  if (SUITE_ONLY) return;
  const end = 1_795_190_400_000_000_000n; // fixed, so runs are comparable
  const start = end - BigInt(HOURS) * 60n * NS_MIN;
  console.log(formatDemoBench(benchDemoGenerator()));
  console.log(`generating ${HOURS} h of demo logs at ${LINES_PER_MIN} lines/min …`);
  const streams = generateDemo({ start, end, linesPerMinute: LINES_PER_MIN, seed: 42 });
  const total = streams.reduce((n, s) => n + s.entries.length, 0);

  const engine = await Engine.open('duckdb::memory:');
  const ingest = await pushThroughHttp(engine, streams);
  console.log(
    `ingest: ${total.toLocaleString()} rows through POST /loki/api/v1/push in ${(ingest.ms / 1000).toFixed(2)} s = ${Math.round((total / ingest.ms) * 1000).toLocaleString()} rows/s (${ingest.batches} pushes of ${ingest.batchSize} lines)`,
  );
  const suite = await pushSuiteThroughHttp();
  console.log(
    suite
      ? `ingest (perf suite data, DuckDB file, push_bench.py: 4 pushers × 5,000 lines): ${suite.lines.toLocaleString()} lines in ${suite.seconds.toFixed(2)} s = ${Math.round(suite.rate).toLocaleString()} lines/s (target ≥ 250,000)`
      : 'ingest (perf suite data): skipped (needs python3 and ../shared/perf)',
  );

  const S = start;
  const cases: { name: string; req: QueryRequest; sql: string }[] = [
    {
      name: 'log query: {app="api-gateway"} |= "error", limit 100',
      req: { query: '{app="api-gateway"} |= "error"', start, end, instant: false, limit: 100, direction: 'backward' },
      sql: `SELECT e.ts, e.line, s.labels FROM entries e JOIN streams s ON s.id = e.stream_id
            WHERE json_extract_string(s.labels, '$.app') = 'api-gateway' AND contains(e.line, 'error')
              AND e.ts >= ${start} AND e.ts < ${end} ORDER BY e.ts DESC LIMIT 100`,
    },
    {
      name: 'log query with a json field filter: {app="api-gateway"} | json | status >= 500, limit 100',
      req: {
        query: '{app="api-gateway"} | json | status >= 500',
        start,
        end,
        instant: false,
        limit: 100,
        direction: 'backward',
      },
      sql: `SELECT e.ts, e.line, s.labels FROM entries e JOIN streams s ON s.id = e.stream_id
            WHERE json_extract_string(s.labels, '$.app') = 'api-gateway'
              AND TRY_CAST(TRY(json_extract_string(e.line, '$.status')) AS INTEGER) >= 500
              AND e.ts >= ${start} AND e.ts < ${end} ORDER BY e.ts DESC LIMIT 100`,
    },
    {
      name: 'sum by (level) (count_over_time({app="api-gateway"}[1m])), 6 h at 1 m',
      req: {
        query: 'sum by (level) (count_over_time({app="api-gateway"}[1m]))',
        start,
        end,
        step: NS_MIN,
        instant: false,
        limit: 100,
        direction: 'backward',
      },
      sql: `SELECT json_extract_string(s.labels, '$.level') AS level, -((-(e.ts - ${S})) // ${NS_MIN}) AS k, count(*) AS n
            FROM entries e JOIN streams s ON s.id = e.stream_id
            WHERE json_extract_string(s.labels, '$.app') = 'api-gateway' AND e.ts > ${S - NS_MIN} AND e.ts < ${end}
            GROUP BY ALL`,
    },
    {
      name: 'rate({app="nginx"}[5m]) at a 1 m step (overlapping windows)',
      req: {
        query: 'rate({app="nginx"}[5m])',
        start,
        end,
        step: NS_MIN,
        instant: false,
        limit: 100,
        direction: 'backward',
      },
      sql: `WITH b AS (SELECT e.stream_id, -((-(e.ts - ${S})) // ${NS_MIN}) AS c, count(*) AS n FROM entries e JOIN streams s ON s.id = e.stream_id
                       WHERE json_extract_string(s.labels, '$.app') = 'nginx' AND e.ts >= ${S - 5n * NS_MIN} AND e.ts < ${end} GROUP BY ALL)
            SELECT stream_id, c + j AS k, sum(n) / 300.0 AS rate FROM b, range(0, 5) t(j) WHERE c + j BETWEEN 0 AND ${Number((end - start) / NS_MIN)} GROUP BY ALL`,
    },
    {
      name: 'quantile_over_time(0.99, {app="api-gateway"} | json | unwrap latency_ms [5m]) by (service_name)',
      req: {
        query: 'quantile_over_time(0.99, {app="api-gateway"} | json | unwrap latency_ms [5m]) by (service_name)',
        start,
        end,
        step: NS_MIN,
        instant: false,
        limit: 100,
        direction: 'backward',
      },
      sql: `SELECT json_extract_string(s.labels, '$.service_name') AS svc, k,
                   quantile_cont(CAST(json_extract_string(e.line, '$.latency_ms') AS DOUBLE), 0.99) AS q
            FROM entries e JOIN streams s ON s.id = e.stream_id,
                 unnest(range(greatest(-((-(e.ts - ${S})) // ${NS_MIN}), 0), ((e.ts - ${S} + ${5n * NS_MIN - 1n}) // ${NS_MIN}) + 1)) t(k)
            WHERE json_extract_string(s.labels, '$.app') = 'api-gateway' AND e.ts > ${S - 5n * NS_MIN} AND e.ts < ${end}
            GROUP BY ALL`,
    },
  ];

  console.log(`\n${'query'.padEnd(100)} ${'ours ms'.padStart(9)} ${'hand SQL ms'.padStart(12)} ${'ratio'.padStart(7)}`);
  for (const c of cases) {
    const res = await engine.query(c.req);
    const ours = await time(() => engine.query(c.req));
    const hand = await time(() => engine.driver.query(c.sql));
    const where = res.stats.tsStages.length
      ? ' (TypeScript stages: ' + [...new Set(res.stats.tsStages)].join('; ') + ')'
      : '';
    console.log(
      `${c.name.padEnd(100)} ${ours.toFixed(1).padStart(9)} ${hand.toFixed(1).padStart(12)} ${(ours / hand).toFixed(2).padStart(7)}${where}`,
    );
  }
  console.log(formatStatsBench(await benchStatsOverhead(engine, [...cases.map((c) => c.req)])));
  const small: QueryRequest = {
    query: '{app="api-gateway"} |= "error"',
    start,
    end,
    instant: false,
    limit: 1000,
    direction: 'backward',
  };
  console.log('\nGrafana backend (QueryData → Arrow frames):');
  console.log(formatGrafanaBench(await benchGrafana(engine, small)));
  await engine.close();
  if (process.env.BENCH_ENGINES !== 'duckdb') {
    // the PostgreSQL and ClickHouse columns: same data, same queries, ours ÷ hand-written SQL on that engine
    const { benchEngines } = await import('./engines');
    await benchEngines(streams, start, end, time);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
