// Existing-table fixtures holding the conformance data set: a flat table (one column per label) and an OTel
// exporter table (`otel_logs`, labels in ResourceAttributes), built on any engine of the matrix through its driver.
import type { Driver } from '../../server/sql/driver';
import type { PushStream } from '../../server/engine/types';
import { ClickHouseDriver } from '../../server/sql/dialects/clickhouse/driver';
import { sanitizeLabelName } from '../../server/schema/mapping';

export const FLAT_TABLE = 'logs_flat';
export const OTEL_TABLE = 'otel_logs';

interface Row {
  ts: bigint;
  line: string;
  labels: Record<string, string>;
}

function rowsOf(streams: PushStream[]): Row[] {
  const rows: Row[] = [];
  for (const s of streams) for (const e of s.entries) rows.push({ ts: e.ts, line: e.line, labels: s.labels });
  return rows;
}

export function labelNamesOf(streams: PushStream[]): string[] {
  const names = new Set<string>();
  for (const s of streams) for (const k of Object.keys(s.labels)) names.add(k);
  return [...names].sort();
}

/** DateTime64(9) text ClickHouse reads exactly: seconds.fraction */
function chTime(ts: bigint): string {
  const s = ts / 1_000_000_000n;
  const f = ts % 1_000_000_000n;
  return `${s}.${f.toString().padStart(9, '0')}`;
}

const CHUNK = 5000;

export async function createFlatFixture(driver: Driver, streams: PushStream[]): Promise<string[]> {
  const names = labelNamesOf(streams);
  for (const n of names)
    if (sanitizeLabelName(n) !== n) throw new Error(`fixture label ${n} is not a plain column name`);
  const rows = rowsOf(streams);
  const labelCols = names.map((n) => `"${n}"`);
  switch (driver.engine) {
    case 'duckdb':
    case 'postgres': {
      const duck = driver.engine === 'duckdb';
      const tsType = duck ? 'TIMESTAMP_NS' : 'BIGINT';
      await driver.exec(
        `CREATE TABLE ${FLAT_TABLE} (ts ${tsType} NOT NULL, message TEXT NOT NULL, ${labelCols.map((c) => `${c} TEXT`).join(', ')})`,
      );
      for (let i = 0; i < rows.length; i += CHUNK) {
        const part = rows.slice(i, i + CHUNK);
        // DuckDB's driver binds no NULL inside lists: '' (an empty label is no label, as in Loki)
        const params = [
          part.map((r) => r.ts),
          part.map((r) => r.line),
          ...names.map((n) => part.map((r) => r.labels[n] ?? (duck ? '' : null))),
        ];
        const arr = (k: number, t: string) => (duck ? `unnest($${k}::${t}[])` : `$${k}::${t}[]`);
        const cols = [
          duck ? `make_timestamp_ns(${arr(1, 'BIGINT')})` : arr(1, 'bigint'),
          arr(2, 'TEXT'),
          ...names.map((_, j) => arr(j + 3, 'TEXT')),
        ];
        const sql = duck
          ? `INSERT INTO ${FLAT_TABLE} SELECT ${cols.join(', ')}`
          : `INSERT INTO ${FLAT_TABLE} SELECT * FROM unnest(${cols.join(', ')})`;
        await driver.query(sql, params as never);
      }
      break;
    }
    case 'clickhouse': {
      await driver.exec(
        `CREATE TABLE ${FLAT_TABLE} (ts DateTime64(9), message String, ${labelCols.map((c) => `${c} Nullable(String)`).join(', ')}) ENGINE = MergeTree ORDER BY ts`,
      );
      const ch = driver as ClickHouseDriver;
      await ch.insertRows(
        FLAT_TABLE,
        rows.map((r) => ({
          ts: chTime(r.ts),
          message: r.line,
          ...Object.fromEntries(names.map((n) => [n, r.labels[n] ?? null])),
        })),
      );
      break;
    }
  }
  return names;
}

export async function createOtelFixture(driver: Driver, streams: PushStream[]): Promise<void> {
  const rows = rowsOf(streams);
  switch (driver.engine) {
    case 'duckdb':
    case 'postgres': {
      const duck = driver.engine === 'duckdb';
      const map = duck ? 'MAP(VARCHAR, VARCHAR)' : 'JSONB';
      await driver.exec(
        `CREATE TABLE ${OTEL_TABLE} ("Timestamp" ${duck ? 'TIMESTAMP_NS' : 'BIGINT'} NOT NULL, "ServiceName" TEXT, "SeverityText" TEXT, "Body" TEXT, ` +
          `"ResourceAttributes" ${map}, "LogAttributes" ${map}, "TraceId" TEXT, "SpanId" TEXT)`,
      );
      for (let i = 0; i < rows.length; i += CHUNK) {
        const part = rows.slice(i, i + CHUNK);
        const params = [part.map((r) => r.ts), part.map((r) => r.line), part.map((r) => JSON.stringify(r.labels))];
        const sql = duck
          ? `INSERT INTO ${OTEL_TABLE} SELECT make_timestamp_ns(t), '', '', b, CAST(CAST(a AS JSON) AS MAP(VARCHAR, VARCHAR)), MAP {}, '', '' ` +
            `FROM (SELECT unnest($1::BIGINT[]) AS t, unnest($2::VARCHAR[]) AS b, unnest($3::VARCHAR[]) AS a)`
          : `INSERT INTO ${OTEL_TABLE} SELECT t, '', '', b, a::jsonb, '{}'::jsonb, '', '' FROM unnest($1::bigint[], $2::text[], $3::text[]) AS x(t, b, a)`;
        await driver.query(sql, params as never);
      }
      break;
    }
    case 'clickhouse': {
      // the exporter's own DDL (opentelemetry-collector-contrib exporter/clickhouseexporter), trimmed to the columns read
      await driver.exec(
        `CREATE TABLE ${OTEL_TABLE} (
          Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
          TraceId String CODEC(ZSTD(1)),
          SpanId String CODEC(ZSTD(1)),
          SeverityText LowCardinality(String) CODEC(ZSTD(1)),
          ServiceName LowCardinality(String) CODEC(ZSTD(1)),
          Body String CODEC(ZSTD(1)),
          ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
          LogAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1))
        ) ENGINE = MergeTree PARTITION BY toDate(Timestamp) ORDER BY (ServiceName, SeverityText, toUnixTimestamp(Timestamp), TraceId)`,
      );
      await (driver as ClickHouseDriver).insertRows(
        OTEL_TABLE,
        rows.map((r) => ({
          Timestamp: chTime(r.ts),
          TraceId: '',
          SpanId: '',
          SeverityText: '',
          ServiceName: '',
          Body: r.line,
          ResourceAttributes: r.labels,
          LogAttributes: {},
        })),
      );
      break;
    }
  }
}
