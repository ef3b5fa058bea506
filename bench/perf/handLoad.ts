// The hand-written SQL's schema (../shared/perf/hand_sql: streams with one column per label key, entries(stream_id,
// ts, line)) on PostgreSQL and chDB, copied from the DuckDB file hand_sql/load.mjs built, so that every engine's
// hand-written SQL reads exactly the same rows (deduplicated as Loki stores them).
//   PostgreSQL: entries clustered by (stream_id, ts) with a B-tree on it, `line COLLATE "C"`, then VACUUM ANALYZE;
//               labels also as jsonb (the `| json` query asks whether an extracted name clashes with a stream label).
//   ClickHouse: MergeTree PARTITION BY day ORDER BY (stream_id, ts), the layout our ClickHouse schema uses.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Session } from 'chdb';
import pg from 'pg';

const DAY_NS = 86_400_000_000_000n;

/** Write the DuckDB file's streams and entries (ordered by stream_id, ts) into `dir`; returns the label columns. */
async function exportDuckDB(duckFile: string, dir: string, format: 'csv' | 'parquet'): Promise<string[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(duckFile, { access_mode: 'READ_ONLY' });
  const c = await inst.connect();
  try {
    const cols = (
      await c.runAndReadAll(`SELECT column_name FROM information_schema.columns
        WHERE table_name = 'streams' AND column_name NOT IN ('stream_id', 'labels', 'labels_json') ORDER BY ordinal_position`)
    )
      .getRows()
      .map((r) => String(r[0]));
    const opts = format === 'csv' ? '(FORMAT csv, HEADER false)' : '(FORMAT parquet)';
    const labels = cols.map((k) => `"${k}"`).join(', ');
    await c.run(`COPY (SELECT stream_id, labels_json, ${labels} FROM streams ORDER BY stream_id)
                 TO '${join(dir, `streams.${format}`)}' ${opts}`);
    await c.run(`COPY (SELECT stream_id, ts, line FROM entries ORDER BY stream_id, ts)
                 TO '${join(dir, `entries.${format}`)}' ${opts}`);
    return cols;
  } finally {
    c.closeSync();
    inst.closeSync();
  }
}

export async function loadPostgresHand(url: string, duckFile: string, dir: string): Promise<void> {
  const cols = await exportDuckDB(duckFile, dir, 'csv');
  const { from } = await import('pg-copy-streams');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`CREATE TABLE streams (
      stream_id integer PRIMARY KEY, labels_json text NOT NULL, ${cols.map((k) => `"${k}" text`).join(', ')},
      labels jsonb GENERATED ALWAYS AS (labels_json::jsonb) STORED)`);
    await c.query(
      `CREATE TABLE entries (stream_id integer NOT NULL, ts bigint NOT NULL, line text COLLATE "C" NOT NULL)`,
    );
    const copy = async (table: string, columns: string[], file: string) =>
      pipeline(createReadStream(file), c.query(from(`COPY ${table} (${columns.join(', ')}) FROM STDIN (FORMAT csv)`)));
    await copy('streams', ['stream_id', 'labels_json', ...cols.map((k) => `"${k}"`)], join(dir, 'streams.csv'));
    await copy('entries', ['stream_id', 'ts', 'line'], join(dir, 'entries.csv'));
    await c.query('CREATE INDEX entries_stream_ts ON entries (stream_id, ts)');
    await c.query('VACUUM ANALYZE');
  } finally {
    await c.end();
  }
}

export async function loadChdbHand(session: Session, duckFile: string, dir: string): Promise<void> {
  const cols = await exportDuckDB(duckFile, dir, 'parquet');
  const run = (sql: string) => session.queryAsync(sql, { format: 'CSV' });
  await run(`CREATE TABLE streams (
      stream_id Int32, labels_json String, ${cols.map((k) => `\`${k}\` Nullable(String)`).join(', ')},
      labels Map(String, String) MATERIALIZED JSONExtract(labels_json, 'Map(String, String)'))
    ENGINE = MergeTree ORDER BY stream_id`);
  await run(`CREATE TABLE entries (stream_id Int32, ts Int64, line String)
    ENGINE = MergeTree PARTITION BY intDiv(ts, ${DAY_NS}) ORDER BY (stream_id, ts)`);
  await run(`INSERT INTO streams (stream_id, labels_json, ${cols.map((k) => `\`${k}\``).join(', ')})
    SELECT * FROM file('${join(dir, 'streams.parquet')}', Parquet)`);
  await run(`INSERT INTO entries SELECT * FROM file('${join(dir, 'entries.parquet')}', Parquet)`);
  await run('OPTIMIZE TABLE entries FINAL');
}
