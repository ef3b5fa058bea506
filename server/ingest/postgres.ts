// PostgreSQL write path: one transaction per group of pushes.
//   1. an advisory transaction lock serialises writers of every process (the duplicate check below must not race),
//   2. rows go into a temp staging table (ON COMMIT DROP) through COPY FROM STDIN (pg-copy-streams), in text format
//      (~5× faster than INSERT … SELECT FROM unnest of parameter arrays, which spent most of its time in array
//      literal encoding and parsing),
//   3. de-duplicated within the batch (DISTINCT ON (stream_id, ts, line, metadata): Loki's ingester keeps entries
//      that differ only in structured metadata; the first occurrence wins) and against
//      stored rows (NOT EXISTS on the (stream_id, ts) index, comparing lines exactly), inserted ordered by ts so the
//      BRIN index stays tight,
//   4. the stored rows counted per stream and minute into minute_counts (schema/minuteCounts.ts), in the same statement,
//   5. streams upserted (ON CONFLICT widens first_ts/last_ts).
import type { PostgresDriver } from '../sql/dialects/postgres/driver';
import { ENTRIES_TABLE, STREAMS_TABLE } from '../schema/tables';
import { POSTGRES_WRITE_LOCK } from '../schema/postgres';
import { countMinutesSql, MINUTE_COUNTS_TABLE } from '../schema/minuteCounts';
import { postgresDialect } from '../sql/dialects/postgres/dialect';
import { storedPerPush, type Batch } from './batch';
import { MAX_JSON_NAMES, namesText, unionNames } from '../sql/jsonSpellings';
import { PushValidationError } from './decode';

const CHUNK = 20_000;

export async function writePostgresBatch(driver: PostgresDriver, b: Batch): Promise<number[]> {
  for (const line of b.line) {
    if (line.includes('\0')) {
      // rejected whole, before anything is written: the client gets a 400 naming the cause, nothing is half-stored
      throw new PushValidationError('PostgreSQL text cannot hold a NUL byte (\\u0000) in a log line');
    }
  }
  return driver.transaction(async (s) => {
    await s.query(`SELECT pg_advisory_xact_lock(${POSTGRES_WRITE_LOCK})`);
    await s.query(
      `CREATE TEMP TABLE _ingest_stage (seq int, push_no int, stream_id bigint, ts bigint, line text COLLATE "C", metadata text) ON COMMIT DROP`,
    );
    await s.copyIn('COPY _ingest_stage (seq, push_no, stream_id, ts, line, metadata) FROM STDIN', copyChunks(b));
    const counts = await s.query<{ push_no: number; n: bigint }>(
      `WITH b AS (
         SELECT DISTINCT ON (stream_id, ts, line, metadata) push_no, stream_id, ts, line, metadata
         FROM _ingest_stage ORDER BY stream_id, ts, line, metadata, seq
       ), n AS (
         SELECT b.* FROM b WHERE NOT EXISTS (
           SELECT 1 FROM ${ENTRIES_TABLE} e WHERE e.stream_id = b.stream_id AND e.ts = b.ts AND e.line = b.line
             AND e.metadata IS NOT DISTINCT FROM b.metadata)
       ), ins AS (
         INSERT INTO ${ENTRIES_TABLE} (stream_id, ts, line, metadata)
         SELECT stream_id, ts, line, metadata FROM n ORDER BY ts, stream_id
       ), minutes AS (
         INSERT INTO ${MINUTE_COUNTS_TABLE} (stream_id, ts, n, bytes) ${countMinutesSql(postgresDialect, 'n')}
       )
       SELECT push_no, count(*) AS n FROM n GROUP BY push_no`,
    );
    await s.query(
      // json_names: the union of the stored set and the batch's, unknown (NULL) when either is or past the bound
      // ('' for unknown: sql/jsonSpellings.ts)
      `INSERT INTO ${STREAMS_TABLE} AS s (id, labels, first_ts, last_ts, json_names)
       SELECT id, labels, f, l, nullif(n, '') FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::text[])
         AS u(id, labels, f, l, n)
       ON CONFLICT (id) DO UPDATE SET
         first_ts = least(s.first_ts, excluded.first_ts),
         last_ts = greatest(s.last_ts, excluded.last_ts),
         json_names = CASE WHEN s.json_names IS NULL OR excluded.json_names IS NULL THEN NULL ELSE (
           SELECT CASE WHEN count(*) > ${MAX_JSON_NAMES} THEN NULL ELSE coalesce(json_agg(x ORDER BY x)::text, '[]') END
           FROM (SELECT json_array_elements_text(s.json_names::json)
                 UNION SELECT json_array_elements_text(excluded.json_names::json)) AS n(x)) END`,
      [
        b.streams.map((x) => x.id),
        b.streams.map((x) => x.json),
        b.streams.map((x) => x.first),
        b.streams.map((x) => x.last),
        b.streams.map((x) => namesText(unionNames(new Set(), x.names)) ?? ''),
      ],
    );
    return storedPerPush(b.pushRows.length, counts);
  });
}

/** COPY text format: tab-separated columns, `\N` for NULL, backslash escapes for \\, tab, newline and CR. */
function copyText(v: string): string {
  return /[\\\t\n\r]/.test(v)
    ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : v;
}

function* copyChunks(b: Batch): Generator<string> {
  let chunk = '';
  for (let i = 0; i < b.line.length; i++) {
    const md = b.metadata[i];
    chunk += `${i}\t${b.pushNo[i]}\t${b.streamId[i]}\t${b.ts[i]}\t${copyText(b.line[i])}\t${md == null ? '\\N' : copyText(md)}\n`;
    if ((i + 1) % CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
