// The native schema, as in Loki: a small `streams` table (one row per distinct label set) and a large `entries`
// table. Selectors resolve on `streams`; `entries` is scanned by stream id and time range.
//
// streams.id       64-bit FNV-1a hash of the canonical label string `{a="1", b="2"}` (sorted keys, Go-quoted values),
//                  as a signed BIGINT so every engine can store it (PostgreSQL has no unsigned types).
// streams.labels   the label set as a JSON object text with sorted keys.
// streams.first_ts / last_ts   oldest / newest entry timestamp (ns) of the stream, widened on every push; the labels,
//                  label-values and series APIs select streams whose [first_ts, last_ts] overlaps the asked range.
// streams.json_quirks (DuckDB) whether the stream may hold JSON lines only DuckDB's reader accepts (sql/jsonQuirks.ts);
//                  NULL: unknown (rows stored before the column existed, until the one-time check at open).
// streams.json_names (DuckDB) the label names the stream's JSON lines spell other than as one plain top-level key,
//                  as a JSON array (sql/jsonSpellings.ts); NULL: unknown (stored before the column existed, or too many).
// entries.ts       nanoseconds since the epoch (BIGINT): exact, as Loki keeps them.
// entries.metadata structured metadata as JSON object text (sorted keys), NULL when none.
// minute_counts    (DuckDB) entries and bytes per stream and minute, for counting queries (schema/minuteCounts.ts).
//
// Identical (stream_id, ts, line, metadata) entries are stored once (the ingester de-duplicates, as Loki's does:
// entries differing only in structured metadata are both kept).

import type { Driver } from '../sql/driver';
import type { Labels } from '../engine/types';
import { ENTRIES_TABLE, STREAMS_TABLE } from './tables';
import { ensurePostgresSchema } from './postgres';
import { CLICKHOUSE_NATIVE_DDL, CLICKHOUSE_STREAMS_NAMES_DDL, CLICKHOUSE_STREAMS_QUERY } from './clickhouse';
import { PostgresDriver } from '../sql/dialects/postgres/driver';
import { LENIENT_JSON_RE2, OPENS_OBJECT_RE2 } from '../sql/jsonQuirks';
import { namesText, otherSpellings, TOO_MANY_NAMES, unionNames } from '../sql/jsonSpellings';
import { ensureMinuteCounts, MINUTE_COUNTS_TABLE, MINUTE_NS } from './minuteCounts';
import { duckdbDialect } from '../sql/dialects/duckdb/dialect';

export { ENTRIES_TABLE, STREAMS_TABLE };

/** Entries are inserted ordered by (ts / TIME_CHUNK_NS, stream_id, ts): see the DDL comment below. */
export const TIME_CHUNK_NS = 3_600_000_000_000n; // 1 hour

// DuckDB layout choices (DESIGN §8):
// - `entries` has no index and no primary key: ART indexes on a 4-column key with long strings cost memory and
//   slow bulk inserts, and DuckDB prunes scans with per-row-group min/max zone maps instead. The ingester inserts
//   each batch sorted by (1-hour time chunk, stream_id, ts) so that a row group (16,384 rows for file databases,
//   see the driver's ATTACH … ROW_GROUP_SIZE) covers a narrow ts range and few streams: a `{app="x"}` scan skips
//   row groups by stream_id and a `limit 100` query skips row groups by ts (Top-N dynamic filter).
//   Sorting by chunk first (not by stream for the whole batch) keeps data time-ordered at the coarse level, which is
//   what every query's time range filters on; within an hour, rows of one stream sit together.
// - `line` is stored uncompressed by default: compression costs decompression on every line-reading scan, ~10 %
//   more time and CPU over the public suite's queries and ~10 % more CPU on ingest (measured; docs/storage.md), and
//   speed is what this engine is judged on first. LOGQLSQL_DUCKDB_LINE_COMPRESSION=auto lets DuckDB choose per
//   segment: with the v1.3.0 file format (the driver's ATTACH … STORAGE_VERSION) that is DICT_FSST for log lines,
//   0.44× their raw bytes on the public suite (~81 bytes a row on disk for 185-byte lines, against ~200); `zstd`
//   stores 0.26× for ~21 % more query CPU. The choice is fixed when a database's table is created.
// - `streams` is tiny (one row per label set); its PRIMARY KEY makes the upsert (`ON CONFLICT`) cheap and exact.
// - Writes: a transaction of at least one row group's rows (the ingester gathers concurrent pushes to reach it) is
//   written by DuckDB once, straight into the database file as new row groups (its "optimistic write"), instead of
//   into the WAL and again at the next checkpoint — half the disk traffic, and no checkpoint stalls. Its last row
//   group is usually partial; DuckDB's checkpoint "vacuum" would merge such neighbours by rewriting them, which is
//   the second write again, so it is switched off (`max_vacuum_tasks = 0`: a row group of fewer rows prunes as well
//   as a full one). Retention deletes whole time ranges (server/retention): the blocks of row groups left empty are
//   freed at the next checkpoint and reused by later writes without any vacuum (measured), so the file stops
//   growing once retention runs.
/** `line`'s storage on DuckDB, fixed when the table is created: `uncompressed` (the default: the fastest scans),
 *  `auto` (DuckDB's choice, DICT_FSST: 0.44× the disk for ~10 % more time on the public suite) or `zstd` (0.26× the
 *  disk, slower still), from the environment variable LOGQLSQL_DUCKDB_LINE_COMPRESSION. */
export function duckdbLineCompression(env: Record<string, string | undefined> = process.env): string {
  const v = (env.LOGQLSQL_DUCKDB_LINE_COMPRESSION ?? 'uncompressed').trim().toLowerCase();
  if (v === 'auto') return '';
  if (v === '') return ' USING COMPRESSION uncompressed';
  if (v === 'uncompressed' || v === 'zstd') return ` USING COMPRESSION ${v}`;
  throw new Error(`LOGQLSQL_DUCKDB_LINE_COMPRESSION must be auto, uncompressed or zstd, not ${JSON.stringify(v)}`);
}

export const duckdbNativeDdl = (lineCompression = duckdbLineCompression()): string[] => [
  `CREATE TABLE IF NOT EXISTS ${STREAMS_TABLE} (
    id BIGINT PRIMARY KEY,
    labels VARCHAR NOT NULL,
    first_ts BIGINT NOT NULL,
    last_ts BIGINT NOT NULL,
    json_quirks BOOLEAN,
    json_names VARCHAR
  )`,
  // databases made before the marks existed
  `ALTER TABLE ${STREAMS_TABLE} ADD COLUMN IF NOT EXISTS json_quirks BOOLEAN`,
  `ALTER TABLE ${STREAMS_TABLE} ADD COLUMN IF NOT EXISTS json_names VARCHAR`,
  `CREATE TABLE IF NOT EXISTS ${ENTRIES_TABLE} (
    stream_id BIGINT NOT NULL,
    ts BIGINT NOT NULL,
    line VARCHAR NOT NULL${lineCompression},
    metadata VARCHAR
  )`,
];

/** Database settings the native DuckDB layout relies on (see above). */
export const DUCKDB_NATIVE_SETTINGS = ['SET GLOBAL max_vacuum_tasks = 0'];

/** Create the native tables if missing (idempotent). PostgreSQL: schema/postgres.ts; ClickHouse: schema/clickhouse.ts. */
export async function ensureNativeSchema(driver: Driver): Promise<void> {
  if (driver instanceof PostgresDriver) return ensurePostgresSchema(driver);
  const ddl =
    driver.engine === 'clickhouse' ? CLICKHOUSE_NATIVE_DDL : [...duckdbNativeDdl(), ...DUCKDB_NATIVE_SETTINGS];
  for (const stmt of ddl) await driver.exec(stmt);
  if (driver.engine === 'clickhouse') {
    const [c] = await driver.query<{ n: number | bigint | string }>(
      `SELECT count() AS n FROM system.columns WHERE database = currentDatabase() AND table = '${STREAMS_TABLE}' AND name = 'json_names_known'`,
    );
    if (Number(c?.n ?? 0) === 0) await driver.exec(CLICKHOUSE_STREAMS_NAMES_DDL);
  }
  if (driver.engine === 'duckdb') {
    await markJsonQuirks(driver);
    await ensureMinuteCounts(driver, duckdbDialect);
    await markJsonNames(driver);
  }
}

/** Lines read at a time by markJsonNames (whole minutes, at least one). */
const NAMES_PAGE_LINES = 50_000;

/** Compute the unknown json_names (DuckDB) from the streams' stored JSON lines once, as the ingester computes them
 *  for new ones (sql/jsonSpellings.ts): when a database made before the column existed is opened. Each stream's lines
 *  are read a page of whole minutes at a time (pages cut by minute_counts); no write runs meanwhile (the ingester
 *  starts after the schema is ensured). */
async function markJsonNames(driver: Driver): Promise<void> {
  const streams = await driver.query<{ id: bigint }>(`SELECT id FROM ${STREAMS_TABLE} WHERE json_names IS NULL`);
  for (const { id } of streams) {
    const minutes = await driver.query<{ ts: bigint; n: bigint }>(
      `SELECT ts, sum(n) AS n FROM ${MINUTE_COUNTS_TABLE} WHERE stream_id = $1 GROUP BY ts ORDER BY ts`,
      [id],
    );
    // pages (lo, hi] of whole minutes (a minute's row is keyed by its right edge)
    const pages: [bigint, bigint][] = [];
    let lo: bigint | undefined;
    let lines = 0;
    for (const m of minutes) {
      lo ??= BigInt(m.ts) - MINUTE_NS;
      lines += Number(m.n);
      if (lines >= NAMES_PAGE_LINES) {
        pages.push([lo, BigInt(m.ts)]);
        lo = undefined;
        lines = 0;
      }
    }
    if (lo !== undefined) pages.push([lo, BigInt(minutes[minutes.length - 1]!.ts)]);
    let names: ReadonlySet<string> | undefined = new Set<string>();
    for (const [from, to] of pages) {
      const rows = await driver.query<{ line: string }>(
        `SELECT line FROM ${ENTRIES_TABLE} WHERE stream_id = $1 AND ts > $2 AND ts <= $3
           AND starts_with(ltrim(line, $4), '{')`,
        [id, from, to, ' \t\n\r'],
      );
      const found = new Set<string>();
      for (const r of rows) otherSpellings(r.line, found);
      names = unionNames(names, found);
      if (names === undefined) break;
    }
    await driver.query(`UPDATE ${STREAMS_TABLE} SET json_names = $2 WHERE id = $1`, [
      id,
      namesText(names) ?? TOO_MANY_NAMES,
    ]);
  }
}

/** Set the unknown json_quirks marks (DuckDB) by testing the streams' stored lines once, as the ingester tests new
 *  ones: one scan of the entries of those streams, when a database made before the mark is opened. */
async function markJsonQuirks(driver: Driver): Promise<void> {
  const unknown = await driver.query<{ n: bigint }>(
    `SELECT count(*) AS n FROM ${STREAMS_TABLE} WHERE json_quirks IS NULL`,
  );
  if (Number(unknown[0]?.n ?? 0) === 0) return;
  await driver.query(
    `UPDATE ${STREAMS_TABLE} SET json_quirks = coalesce(q.quirky, FALSE)
     FROM (SELECT s.id, (SELECT bool_or(regexp_matches(e.line, $1) AND regexp_matches(e.line, $2))
                         FROM ${ENTRIES_TABLE} e WHERE e.stream_id = s.id) AS quirky
           FROM ${STREAMS_TABLE} s WHERE s.json_quirks IS NULL) AS q
     WHERE ${STREAMS_TABLE}.id = q.id`,
    [OPENS_OBJECT_RE2, LENIENT_JSON_RE2],
  );
}

/** The statement loading the stream catalog (id, labels JSON text, first_ts, last_ts) from the native schema. */
export function nativeStreamsQuery(driver: Driver): string {
  if (driver.engine === 'clickhouse') return CLICKHOUSE_STREAMS_QUERY;
  if (driver.engine === 'duckdb')
    return `SELECT id, labels, first_ts, last_ts, json_quirks, json_names FROM ${STREAMS_TABLE}`;
  return `SELECT id, labels, first_ts, last_ts, json_names FROM ${STREAMS_TABLE}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Canonical labels and stream ids

const GO_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const GO_PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;
const NEEDS_QUOTING = /[^\x20-\x21\x23-\x5b\x5d-\x7e]/;

/** Go's strconv.Quote (what Prometheus/Loki use to print label values). */
export function goQuote(s: string): string {
  if (!NEEDS_QUOTING.test(s)) return `"${s}"`;
  let out = '"';
  for (let ch of s) {
    const esc = GO_ESCAPES[ch];
    if (esc) {
      out += esc;
      continue;
    }
    let cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      // a lone surrogate is not valid UTF-8; Go's JSON decoder would have turned it into U+FFFD
      cp = 0xfffd;
      ch = '\ufffd';
    }
    if (cp < 0x80) {
      out += cp < 0x20 || cp === 0x7f ? '\\x' + cp.toString(16).padStart(2, '0') : ch;
    } else if (GO_PRINTABLE.test(ch)) {
      out += ch;
    } else if (cp < 0x10000) {
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else {
      out += '\\U' + cp.toString(16).padStart(8, '0');
    }
  }
  return out + '"';
}

function sortedKeys(labels: Labels): string[] {
  return Object.keys(labels).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `{a="1", b="2"}`: keys sorted (byte order), values Go-quoted — Loki's stream string. */
export function canonicalLabels(labels: Labels): string {
  return (
    '{' +
    sortedKeys(labels)
      .map((k) => `${k}=${goQuote(labels[k])}`)
      .join(', ') +
    '}'
  );
}

/** The label set as JSON object text with sorted keys (streams.labels). */
export function labelsJson(labels: Labels): string {
  const o: Labels = {};
  for (const k of sortedKeys(labels)) o[k] = labels[k];
  return JSON.stringify(o);
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const encoder = new TextEncoder();

/** 64-bit FNV-1a of the UTF-8 bytes of `s`, as a signed bigint. */
export function fnv1a64(s: string): bigint {
  // 16-bit limbs keep the arithmetic in exact doubles (no BigInt per byte).
  let h0 = 0x2325,
    h1 = 0x8422,
    h2 = 0x9ce4,
    h3 = 0xcbf2;
  for (const b of encoder.encode(s)) {
    h0 ^= b;
    // multiply by 0x100000001b3 = 2^40 + 0x1b3 (2^40 = limb 2 shifted by 8 bits)
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + (t1 >>> 16) + ((h0 << 8) & 0xffff);
    const t3 = h3 * 0x1b3 + (t2 >>> 16) + ((h0 >>> 8) & 0xff) + ((h1 << 8) & 0xffff);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  const u = (BigInt(h3) << 48n) | (BigInt(h2) << 32n) | (BigInt(h1) << 16n) | BigInt(h0);
  return BigInt.asIntN(64, u);
}

/** Reference implementation (BigInt), used by the tests to check `fnv1a64`. */
export function fnv1a64Reference(s: string): bigint {
  let h = FNV_OFFSET;
  for (const b of encoder.encode(s)) h = BigInt.asUintN(64, (h ^ BigInt(b)) * FNV_PRIME);
  return BigInt.asIntN(64, h);
}

/** Stream id: FNV-1a 64 of the canonical label string, signed. */
export function streamId(labels: Labels): bigint {
  return fnv1a64(canonicalLabels(labels));
}
