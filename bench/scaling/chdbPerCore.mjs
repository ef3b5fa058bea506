// Per-core throughput of ClickHouse (chDB, in-process) on the public suite's data, for docs/scaling.md:
//   ingest: rows/s into our `entries` layout (MergeTree PARTITION BY day ORDER BY (stream_id, ts)) with one thread,
//           from JSONEachRow (the format our ClickHouse driver sends) and from Parquet;
//   scan:   each of the suite's query shapes with max_threads = 1, as uncompressed bytes read per second
//           (ClickHouse's own rows_read / bytes_read statistics) and lines per second.
// Times are the process's CPU time (chDB runs in this process, one thread), not wall time: on a shared machine the
// wall clock measures the neighbours; the query condition cache is off so that repeated runs read every granule.
// usage: node bench/scaling/chdbPerCore.mjs [hand_sql DuckDB file]   (default: $TMPDIR/logqlsql-perf/hand/logs.duckdb,
//        built by ../shared/perf/run.sh or `npm run bench`)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Session } from 'chdb';

const handDb = process.argv[2] ?? join(tmpdir(), 'logqlsql-perf', 'hand', 'logs.duckdb');
const dir = mkdtempSync(join(tmpdir(), 'logqlsql-chdb-core-'));
const DAY_NS = 86_400_000_000_000n;
const START = 1794268800000000000n; // the suite's 72 h
const END = START + 72n * 3_600_000_000_000n;

// 1. The suite's entries as Parquet and JSONEachRow, and the `app="api"` stream ids.
const duck = await DuckDBInstance.create(handDb, { access_mode: 'READ_ONLY' });
const dc = await duck.connect();
await dc.run(
  `COPY (SELECT stream_id::BIGINT AS stream_id, ts, line FROM entries) TO '${dir}/e.parquet' (FORMAT parquet)`,
);
await dc.run(
  `COPY (SELECT stream_id::BIGINT AS stream_id, ts::VARCHAR AS ts, line FROM entries) TO '${dir}/e.json' (FORMAT json)`,
);
const api = (await dc.runAndReadAll(`SELECT list(stream_id) FROM streams WHERE app = 'api'`)).getRows()[0][0].items;
const [[rows, lineBytes]] = (await dc.runAndReadAll('SELECT count(*), sum(strlen(line)) FROM entries')).getRows();
dc.closeSync();
duck.closeSync();
const n = Number(rows);
console.log(`data: ${n.toLocaleString()} lines, ${(Number(lineBytes) / 1e6).toFixed(0)} MB of line text`);

const s = new Session(join(dir, 'db'));
const q = (sql) => s.query(sql, 'JSON');
const ddl = (t) => `CREATE TABLE ${t} (stream_id Int64, ts Int64, line String, metadata Nullable(String))
  ENGINE = MergeTree PARTITION BY intDiv(ts, ${DAY_NS}) ORDER BY (stream_id, ts)`;
/** CPU seconds of this process (chDB's threads included) while `fn` runs. */
const cpu = (fn) => {
  const u0 = process.cpuUsage();
  const out = fn();
  const u = process.cpuUsage(u0);
  return { s: (u.user + u.system) / 1e6, out };
};
const timed = (sql) => cpu(() => s.query(sql, 'CSV')).s;

// 2. Ingest with one thread (best of 2).
const one = 'SETTINGS max_threads = 1, max_insert_threads = 1, use_query_condition_cache = 0';
for (const [fmt, file, sel] of [
  ['JSONEachRow', 'e.json', 'stream_id, toInt64(ts), line, NULL'],
  ['Parquet', 'e.parquet', 'stream_id, ts, line, NULL'],
]) {
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    s.query('DROP TABLE IF EXISTS entries', 'CSV');
    s.query(ddl('entries'), 'CSV');
    best = Math.min(best, timed(`INSERT INTO entries SELECT ${sel} FROM file('${dir}/${file}', ${fmt}) ${one}`));
  }
  console.log(`ingest, 1 thread, from ${fmt}: ${Math.round(n / best).toLocaleString()} rows/s (${best.toFixed(2)} s)`);
}
s.query('OPTIMIZE TABLE entries FINAL', 'CSV');
const parts = JSON.parse(
  q(`SELECT sum(data_compressed_bytes) AS c, sum(data_uncompressed_bytes) AS u, sum(rows) AS r
     FROM system.parts WHERE table = 'entries' AND active`),
).data[0];
console.log(
  `stored: ${(Number(parts.c) / Number(parts.r)).toFixed(1)} compressed bytes/line ` +
    `(${(Number(parts.u) / Number(parts.c)).toFixed(1)}× compression, LZ4 default codec)`,
);

// 3. Scans, one thread: the suite's shapes over 72 h.
const ids = `(${api.join(',')})`;
const range = `ts >= ${START} AND ts < ${END}`;
const shapes = {
  'line filter, api streams (logs-filter)': `SELECT count() FROM entries WHERE stream_id IN ${ids} AND ${range} AND position(line, 'timeout') > 0`,
  'json filter, api streams (logs-json-filter)': `SELECT count() FROM entries WHERE stream_id IN ${ids} AND ${range} AND JSONExtractInt(line, 'status') >= 500 AND JSONExtractFloat(line, 'latency_ms') > 200`,
  'count per stream and 5 min (count-by-level)': `SELECT stream_id, intDiv(ts, 300000000000) AS b, count() FROM entries WHERE ${range} GROUP BY stream_id, b`,
  'json quantile, api streams (json-quantile)': `SELECT quantile(0.99)(JSONExtractFloat(line, 'latency_ms')) FROM entries WHERE stream_id IN ${ids} AND ${range}`,
  'logfmt field + filter, all streams (logfmt-errors)': `SELECT count() FROM entries WHERE ${range} AND extract(line, '(?:^|\\\\s)status=(\\\\d+)') >= '500'`,
  'regex over all lines (regex-all-prod)': `SELECT count() FROM entries WHERE ${range} AND match(line, '(?i)error|timeout')`,
};
for (const [name, sql] of Object.entries(shapes)) {
  let best;
  for (let i = 0; i < 3; i++) {
    const r = cpu(() => JSON.parse(q(`${sql} SETTINGS max_threads = 1, use_query_condition_cache = 0`)).statistics);
    if (!best || r.s < best.s) best = { s: r.s, ...r.out };
  }
  console.log(
    `${name}: ${(best.bytes_read / best.s / 1e9).toFixed(2)} GB/s, ` +
      `${(best.rows_read / best.s / 1e6).toFixed(1)} M lines/s (1 thread, ${(best.s * 1000).toFixed(0)} ms CPU for ${best.rows_read.toLocaleString()} rows, ${(best.bytes_read / 1e6).toFixed(0)} MB)`,
  );
}
// 4. The same rows with ZSTD(3) on line and delta codecs on ts: size, and the line-filter scan once more.
s.query(
  `CREATE TABLE entries_zstd (stream_id Int64, ts Int64 CODEC(DoubleDelta, ZSTD(1)), line String CODEC(ZSTD(3)),
     metadata Nullable(String)) ENGINE = MergeTree PARTITION BY intDiv(ts, ${DAY_NS}) ORDER BY (stream_id, ts)`,
  'CSV',
);
s.query(`INSERT INTO entries_zstd SELECT * FROM entries`, 'CSV');
s.query('OPTIMIZE TABLE entries_zstd FINAL', 'CSV');
const z = JSON.parse(
  q(`SELECT sum(data_compressed_bytes) AS c, sum(rows) AS r FROM system.parts WHERE table = 'entries_zstd' AND active`),
).data[0];
const zs = cpu(
  () =>
    JSON.parse(
      q(
        `${shapes['line filter, api streams (logs-filter)'].replace('FROM entries', 'FROM entries_zstd')} SETTINGS max_threads = 1, use_query_condition_cache = 0`,
      ),
    ).statistics,
);
console.log(
  `ZSTD(3) line + DoubleDelta ts: ${(Number(z.c) / Number(z.r)).toFixed(1)} compressed bytes/line; ` +
    `line filter ${(zs.out.bytes_read / zs.s / 1e9).toFixed(2)} GB/s (1 thread, ${(zs.s * 1000).toFixed(0)} ms CPU)`,
);
s.close();
rmSync(dir, { recursive: true, force: true });
