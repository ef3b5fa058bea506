// Storage efficiency (issue 13): bytes our database takes on disk per stored line after the suite's push, against
// the raw bytes of the lines themselves (read from hand_sql's DuckDB file, which holds the same lines).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';

let raw: Promise<{ rows: number; bytes: number }> | undefined;

/** Lines and their total UTF-8 bytes in the suite's data. */
export function rawLineBytes(handDb: string): Promise<{ rows: number; bytes: number }> {
  raw ??= (async () => {
    const db = await DuckDBInstance.create(handDb, { access_mode: 'READ_ONLY' });
    try {
      const c = await db.connect();
      const r = (await c.runAndReadAll('SELECT count(*) AS n, sum(strlen(line)) AS b FROM entries')).getRows()[0]!;
      c.closeSync();
      return { rows: Number(r[0]), bytes: Number(r[1]) };
    } finally {
      db.closeSync();
    }
  })();
  return raw;
}

/** Bytes of every file under `path` (a DuckDB file and its WAL, or chDB's data directory). */
export function diskBytes(...paths: string[]): number {
  let n = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const st = statSync(p);
    if (st.isDirectory()) n += diskBytes(...readdirSync(p).map((f) => join(p, f)));
    else n += st.size;
  }
  return n;
}

/** Active parts of every table in a chDB directory (once its server stopped): the directory itself also holds parts
 *  a merge replaced, which ClickHouse keeps for 8 minutes (old_parts_lifetime), and would overstate the size ~3×. */
export async function chdbActiveBytes(path: string): Promise<number> {
  const { Session } = await import('chdb');
  const s = new Session(path);
  try {
    const r = JSON.parse(
      s.query(`SELECT sum(bytes_on_disk) AS n FROM system.parts WHERE active AND database = currentDatabase()`, 'JSON'),
    ) as { data: { n: string | number }[] };
    return Number(r.data[0]?.n ?? 0);
  } finally {
    s.close();
  }
}

/** Tables, TOAST and indexes of the native schema in a PostgreSQL database. */
export async function postgresBytes(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>(
      `SELECT (pg_total_relation_size('entries') + pg_total_relation_size('streams'))::text AS n`,
    );
    return Number(r.rows[0]!.n);
  } finally {
    await c.end();
  }
}

/** "DuckDB storage: 44.1 bytes/line on disk (0.24× the 185-byte average line; 43.6 MB for 989,285 lines)" */
export async function storageLine(engine: string, bytes: number, handDb: string, copies = 1): Promise<string> {
  const one = await rawLineBytes(handDb);
  // `copies`: the suite's data stored that many times (the 10 M scale adds nine shifted copies)
  const r = { rows: one.rows * copies, bytes: one.bytes * copies };
  const perLine = bytes / r.rows;
  const avg = r.bytes / r.rows;
  return (
    `${engine} storage: ${perLine.toFixed(1)} bytes/line on disk (${(perLine / avg).toFixed(2)}× the ` +
    `${avg.toFixed(0)}-byte average line; ${(bytes / 1e6).toFixed(1)} MB for ${r.rows.toLocaleString()} lines)`
  );
}
