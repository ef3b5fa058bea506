// Native schema on ClickHouse (server or chDB). Same columns as DuckDB's (schema/native.ts); the layout is chosen for
// MergeTree:
//
// - entries: MergeTree ORDER BY (stream_id, ts): the primary index is sparse (one mark per 8192 rows), so a query
//   for a few streams over a time range reads only the granules of those streams in that range; rows of one stream
//   sit together and compress well. PARTITION BY day (intDiv(ts, 86400 s in ns), monotonic in ts): time-range
//   queries skip whole partitions, retention is `ALTER TABLE … DROP PARTITION`, and merges stay within a day.
// - streams: AggregatingMergeTree ORDER BY id with SimpleAggregateFunction(min/max) bounds: every push inserts one
//   row per stream and background merges fold them; readers GROUP BY id (the table is tiny), so no FINAL and no
//   mutation is ever needed — the same SQL runs unchanged on a Distributed table over these.
// - No uniqueness: MergeTree has none. The ingester anti-joins each batch against stored rows of the batch's
//   streams and time range before inserting (writes of one process are serialised).
// - Replication/sharding: create these as Replicated*MergeTree with a Distributed table of the same name on top;
//   we add no cluster logic of our own.
import { ENTRIES_TABLE, STREAMS_TABLE } from './tables';

const DAY_NS = 86_400_000_000_000n;

export const CLICKHOUSE_NATIVE_DDL = [
  `CREATE TABLE IF NOT EXISTS ${STREAMS_TABLE} (
    id Int64,
    labels SimpleAggregateFunction(any, String),
    first_ts SimpleAggregateFunction(min, Int64),
    last_ts SimpleAggregateFunction(max, Int64),
    json_names SimpleAggregateFunction(groupUniqArrayArray, Array(String)),
    json_names_known SimpleAggregateFunction(min, UInt8) DEFAULT 0
  ) ENGINE = AggregatingMergeTree ORDER BY id`,
  `CREATE TABLE IF NOT EXISTS ${ENTRIES_TABLE} (
    stream_id Int64,
    ts Int64,
    line String,
    metadata Nullable(String)
  ) ENGINE = MergeTree PARTITION BY intDiv(ts, ${DAY_NS}) ORDER BY (stream_id, ts)`,
];

/** For a `streams` table made before the json_names columns (schema/native.ts runs it only when they are missing:
 *  ALTER needs its own grant). Its rows read as unknown (sql/jsonSpellings.ts). */
export const CLICKHOUSE_STREAMS_NAMES_DDL = `ALTER TABLE ${STREAMS_TABLE}
  ADD COLUMN IF NOT EXISTS json_names SimpleAggregateFunction(groupUniqArrayArray, Array(String)),
  ADD COLUMN IF NOT EXISTS json_names_known SimpleAggregateFunction(min, UInt8) DEFAULT 0`;

export const CLICKHOUSE_STREAMS_QUERY = `SELECT id, any(labels) AS labels, min(first_ts) AS first_ts, max(last_ts) AS last_ts,
  groupUniqArrayArray(json_names) AS json_names, min(json_names_known) AS json_names_known FROM ${STREAMS_TABLE} GROUP BY id`;
