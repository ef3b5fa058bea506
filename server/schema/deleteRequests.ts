// Loki's delete requests (compactor API), kept in the database they apply to: a tenant's requests live in the
// tenant's database, and survive restarts. The table is append-only on every engine — each change of a request
// (received → processed, or cancelled) adds a row with a higher `version`, and readers take the newest row per
// request — so ClickHouse needs no mutation and the three engines share one reading statement. It is tiny (a few
// rows per request), read whole.
import type { EngineName } from '../sql/driver';

export const DELETE_REQUESTS_TABLE = 'delete_requests';

const COLUMNS = {
  duckdb: ['VARCHAR', 'BIGINT'],
  postgres: ['TEXT', 'BIGINT'],
  clickhouse: ['String', 'Int64'],
} as const;

export function deleteRequestsDdl(engine: EngineName): string {
  const [text, int] = COLUMNS[engine];
  const notNull = engine === 'clickhouse' ? '' : ' NOT NULL';
  return `CREATE TABLE IF NOT EXISTS ${DELETE_REQUESTS_TABLE} (
    request_id ${text}${notNull},
    version ${int}${notNull},
    query ${text}${notNull},
    start_ms ${int}${notNull},
    end_ms ${int}${notNull},
    created_ms ${int}${notNull},
    status ${text}${notNull},
    deleted_lines ${int}${notNull}
  )${engine === 'clickhouse' ? ' ENGINE = MergeTree ORDER BY (request_id, version)' : ''}`;
}
