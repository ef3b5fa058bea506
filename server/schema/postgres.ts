// Native schema on PostgreSQL (15+). Same tables and columns as DuckDB's (schema/native.ts); the layout is chosen for
// PostgreSQL's row store and planner:
//
// - entries (stream_id, ts) B-tree index: every query reads `stream_id = ANY($ids) AND ts >= $from AND ts < $to`,
//   which this index answers as one range scan per selected stream; the ingester's duplicate check
//   (same stream, ts, line) probes it too. A `limit 100` log query walks it per stream in ts order.
// - BRIN on entries.ts: rows arrive roughly in time order, so a block-range index (a few KB for millions of rows)
//   lets a query over a time range that spans many streams skip the blocks outside it; unlike a B-tree it costs
//   next to nothing on insert.
// - `line TEXT COLLATE "C"`: byte order for ORDER BY/keyset paging (as DuckDB and ClickHouse compare), and no ICU /
//   libc collation cost. Lines are never indexed: line filters scan (strpos), as Loki greps chunks.
// - No primary key on entries: (stream_id, ts, line) would index whole lines; the ingester de-duplicates exactly
//   inside its transaction instead (anti-join on the (stream_id, ts) index).
// - streams: one row per label set, PRIMARY KEY (id) for the upsert, labels as JSON text (parsed in TypeScript).
// - logqlsql_json_field(line, key): a top-level JSON field as text, NULL for invalid JSON (PostgreSQL 15 has no
//   `IS JSON`; the cast raises, the function catches). The `{`-prefix test keeps the exception path off plain lines.
//   PARALLEL UNSAFE: an exception block starts a subtransaction, which parallel workers cannot.
import { ENTRIES_TABLE, STREAMS_TABLE } from './tables';
import type { PostgresDriver } from '../sql/dialects/postgres/driver';
import { postgresDialect } from '../sql/dialects/postgres/dialect';
import { countMinutesSql, MINUTE_COUNTS_DDL, MINUTE_COUNTS_TABLE } from './minuteCounts';

/** The advisory lock every writer of a database takes for its transaction (ingest/postgres.ts, retention/purge.ts):
 *  ingests and deletes of every process take turns. */
export const POSTGRES_WRITE_LOCK = 7423001;

export const POSTGRES_JSON_FIELD_FN = `CREATE OR REPLACE FUNCTION logqlsql_json_field(line text, key text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE PARALLEL UNSAFE AS $fn$
BEGIN
  IF line IS NULL OR left(ltrim(line, E' \\t\\n\\r'), 1) <> '{' THEN
    RETURN NULL;
  END IF;
  -- json (not jsonb) keeps duplicate keys in order: the first one wins, as in Loki's parser (->> takes the last)
  RETURN (SELECT j.value FROM json_each_text(line::json) AS j WHERE j.key = logqlsql_json_field.key LIMIT 1);
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$fn$`;

export const POSTGRES_NATIVE_DDL = [
  `CREATE TABLE IF NOT EXISTS ${STREAMS_TABLE} (
    id BIGINT PRIMARY KEY,
    labels TEXT NOT NULL,
    first_ts BIGINT NOT NULL,
    last_ts BIGINT NOT NULL,
    json_names TEXT
  )`,
  // tables made before the column existed: NULL, unknown (sql/jsonSpellings.ts). Altered only when missing: ALTER
  // needs the table's owner even when the column exists, and a server may write as another role
  `DO $$ BEGIN
     IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = '${STREAMS_TABLE}' AND column_name = 'json_names')
     THEN ALTER TABLE ${STREAMS_TABLE} ADD COLUMN json_names TEXT; END IF;
   END $$`,
  `CREATE TABLE IF NOT EXISTS ${ENTRIES_TABLE} (
    stream_id BIGINT NOT NULL,
    ts BIGINT NOT NULL,
    line TEXT COLLATE "C" NOT NULL,
    metadata TEXT
  )`,
  `CREATE INDEX IF NOT EXISTS ${ENTRIES_TABLE}_stream_ts ON ${ENTRIES_TABLE} (stream_id, ts)`,
  `CREATE INDEX IF NOT EXISTS ${ENTRIES_TABLE}_ts_brin ON ${ENTRIES_TABLE} USING brin (ts)`,
  // rows with structured metadata (empty when none): counting queries ask whether any exist in their range before
  // grouping by metadata, which would otherwise force heap visits on every row (no index-only scan)
  `CREATE INDEX IF NOT EXISTS ${ENTRIES_TABLE}_with_metadata ON ${ENTRIES_TABLE} (stream_id, ts) WHERE metadata IS NOT NULL`,
  POSTGRES_JSON_FIELD_FN,
];

/** Run the DDL in one transaction holding an advisory lock, so concurrent first starts against one database cannot
 *  race (CREATE … IF NOT EXISTS is not race-free in PostgreSQL). */
export async function ensurePostgresSchema(driver: PostgresDriver): Promise<void> {
  await driver.transaction(async (s) => {
    await s.query('SELECT pg_advisory_xact_lock(7423000)');
    for (const stmt of POSTGRES_NATIVE_DDL) await s.query(stmt);
    // the per-minute counts (schema/minuteCounts.ts): created with every entry already stored counted, in this
    // transaction, so the table never exists without them (the ingest lock keeps writers out meanwhile)
    const [t] = await s.query<{ t: string | null }>(`SELECT to_regclass('${MINUTE_COUNTS_TABLE}')::text AS t`);
    if (t?.t == null) {
      await s.query(`SELECT pg_advisory_xact_lock(${POSTGRES_WRITE_LOCK})`);
      await s.query(MINUTE_COUNTS_DDL);
      await s.query(`CREATE INDEX ${MINUTE_COUNTS_TABLE}_stream_ts ON ${MINUTE_COUNTS_TABLE} (stream_id, ts)`);
      await s.query(`INSERT INTO ${MINUTE_COUNTS_TABLE} ${countMinutesSql(postgresDialect, ENTRIES_TABLE)}`);
    }
  });
}
