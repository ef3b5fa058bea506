// ClickHouse write path (server or chDB). ClickHouse has no transactions and MergeTree no uniqueness, so:
//   1. the batch goes into a Memory staging table (unique name per write) as JSONEachRow,
//   2. a second Memory table receives the batch de-duplicated within itself (GROUP BY stream_id, ts, line, metadata:
//      Loki's ingester keeps entries differing only in structured metadata; the first occurrence's push wins) and
//      against stored rows of the batch's streams and time range
//      (`NOT IN` over a primary-key range read),
//   3. that set is inserted into `entries` (one INSERT: one part per partition touched) and counted per push,
//   4. one row per stream goes into `streams` (AggregatingMergeTree folds min/max; readers GROUP BY id).
// Writes of one process are serialised by the Ingester's queue; two processes writing the same stream at the same
// instant could both store a duplicate (documented in docs/storage.md).
import type { ClickHouseDriver } from '../sql/dialects/clickhouse/driver';
import { ENTRIES_TABLE, STREAMS_TABLE } from '../schema/tables';
import { storedPerPush, type Batch } from './batch';
import { unionNames } from '../sql/jsonSpellings';

let seq = 0;

export async function writeClickHouseBatch(driver: ClickHouseDriver, b: Batch): Promise<number[]> {
  const tag = `${process.pid}_${Date.now().toString(36)}_${seq++}`;
  const stage = `_ingest_stage_${tag}`;
  const fresh = `_ingest_new_${tag}`;
  await driver.exec(
    `CREATE TABLE ${stage} (seq UInt32, push_no UInt32, stream_id Int64, ts Int64, line String, metadata Nullable(String)) ENGINE = Memory`,
  );
  try {
    const rows: Record<string, unknown>[] = new Array(b.line.length);
    for (let i = 0; i < b.line.length; i++) {
      rows[i] = {
        seq: i,
        push_no: b.pushNo[i],
        stream_id: b.streamId[i],
        ts: b.ts[i],
        line: b.line[i],
        metadata: b.metadata[i],
      };
    }
    await driver.insertRows(stage, rows);
    // ids and bounds are bigints computed here (never user text)
    const ids = b.streams.map((s) => s.id.toString()).join(', ');
    await driver.exec(
      `CREATE TABLE ${fresh} ENGINE = Memory AS
       SELECT stream_id, ts, line, nullIf(md, '') AS metadata, argMin(push_no, seq) AS push_no
       FROM (SELECT stream_id, ts, line, ifNull(metadata, '') AS md, push_no, seq FROM ${stage})
       WHERE (stream_id, ts, line, md) NOT IN (
         SELECT stream_id, ts, line, ifNull(metadata, '') FROM ${ENTRIES_TABLE}
         WHERE stream_id IN (${ids}) AND ts >= ${b.minTs} AND ts <= ${b.maxTs})
       GROUP BY stream_id, ts, line, md`,
    );
    await driver.exec(
      `INSERT INTO ${ENTRIES_TABLE} (stream_id, ts, line, metadata) SELECT stream_id, ts, line, metadata FROM ${fresh} ORDER BY stream_id, ts`,
    );
    const counts = await driver.query<{ push_no: number; n: bigint }>(
      `SELECT push_no, count() AS n FROM ${fresh} GROUP BY push_no`,
    );
    await driver.insertRows(
      STREAMS_TABLE,
      b.streams.map((s) => {
        // past the bound the stream's set is unknown for good (min folds the 0 in); readers bound it too
        const names = unionNames(new Set(), s.names);
        return {
          id: s.id,
          labels: s.json,
          first_ts: s.first,
          last_ts: s.last,
          json_names: names ? [...names] : [],
          json_names_known: names ? 1 : 0,
        };
      }),
    );
    return storedPerPush(b.pushRows.length, counts);
  } finally {
    await driver.exec(`DROP TABLE IF EXISTS ${stage}`).catch(() => undefined);
    await driver.exec(`DROP TABLE IF EXISTS ${fresh}`).catch(() => undefined);
  }
}
