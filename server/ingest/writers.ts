// Per-engine write paths other than DuckDB's (which lives in ingester.ts): PostgreSQL (postgres.ts) and ClickHouse
// (clickhouse.ts). The Ingester keeps its queue and group commit; it hands each group to the engine's writer.
import type { PushStream } from '../engine/types';
import type { Driver } from '../sql/driver';
import { PostgresDriver } from '../sql/dialects/postgres/driver';
import { ClickHouseDriver } from '../sql/dialects/clickhouse/driver';
import { buildBatch, type Batch } from './batch';
import { writePostgresBatch } from './postgres';
import { writeClickHouseBatch } from './clickhouse';

export type GroupWriter = (
  group: { streams: PushStream[]; rows: number }[],
  streamInfo: (labels: PushStream['labels']) => { id: bigint; json: string },
) => Promise<{ entries: number; duplicates: number }[]>;

/** The writer for a non-DuckDB driver, or undefined (DuckDB: the Ingester's own appender path). */
export function engineWriter(driver: Driver): GroupWriter | undefined {
  let write: ((b: Batch) => Promise<number[]>) | undefined;
  if (driver instanceof PostgresDriver) write = (b) => writePostgresBatch(driver, b);
  else if (driver instanceof ClickHouseDriver) write = (b) => writeClickHouseBatch(driver, b);
  if (!write) return undefined;
  const w = write;
  return async (group, streamInfo) => {
    const b = buildBatch(group, streamInfo);
    const stored = await w(b);
    return b.pushRows.map((rows, i) => ({ entries: stored[i], duplicates: rows - stored[i] }));
  };
}
