// Hand-written SQL on PostgreSQL and chDB, run and timed the way ../shared/perf/hand_sql/run.mjs runs the DuckDB
// statements (1 warm-up + N runs, every row fetched, median), with the rows turned into Loki's answer shape and
// compared with the DuckDB hand SQL's answers (hand_results.json): the statements must return the same answers.
import { readFileSync } from 'node:fs';
import type { Session } from 'chdb';
import pg from 'pg';
import { sameAnswer, toLoki, type Loki, type Rows } from './answers';

export interface Statement {
  id: string;
  sql: string;
}

/** `-- id: NAME` blocks, as run.mjs reads queries.sql. */
export function readStatements(file: string): Statement[] {
  return readFileSync(file, 'utf8')
    .split(/^-- id: /m)
    .slice(1)
    .map((block) => {
      const nl = block.indexOf('\n');
      return {
        id: block.slice(0, nl).trim(),
        sql: block
          .slice(nl + 1)
          .trim()
          .replace(/;\s*$/, ''),
      };
    });
}

export interface SqlRunner {
  query(sql: string): Promise<Rows>;
  close(): Promise<void>;
}

/** A PostgreSQL session with our driver's settings (jit=off: server/sql/dialects/postgres/driver.ts). */
export async function postgresRunner(url: string): Promise<SqlRunner> {
  const c = new pg.Client({ connectionString: url, options: '-c jit=off' });
  await c.connect();
  return {
    query: async (sql) => {
      const r = await c.query({ text: sql, rowMode: 'array' });
      return { columns: r.fields.map((f) => f.name), rows: r.rows as unknown[][] };
    },
    close: () => c.end(),
  };
}

/** A chDB session in `path` that prints 64-bit integers (ts) as JSON strings, as our ClickHouse driver does. */
export async function chdbSession(path: string): Promise<Session> {
  const { Session } = await import('chdb');
  return new Session(path, { connectionArgs: ['--output_format_json_quote_64bit_integers=1'] });
}

export function chdbRunner(session: Session): SqlRunner {
  return {
    query: async (sql) => {
      const r = (await session.queryAsync(sql, { format: 'JSONCompact' })).json<{
        meta: { name: string }[];
        data: unknown[][];
      }>();
      return { columns: r.meta.map((m) => m.name), rows: r.data };
    },
    close: async () => session.close(),
  };
}

export interface HandTiming {
  id: string;
  ms: number;
  rows: number;
  /** undefined: same answer as the DuckDB hand SQL */
  mismatch?: string;
}

/** 1 warm-up + `runs` timed runs of each statement (all rows fetched); median ms, answer checked against `want`. */
export async function timeStatements(
  runner: SqlRunner,
  statements: Statement[],
  runs: number,
  want: Record<string, Loki> | undefined,
): Promise<HandTiming[]> {
  const out: HandTiming[] = [];
  for (const s of statements) {
    let r = await runner.query(s.sql);
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      r = await runner.query(s.sql);
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    const ref = want?.[s.id];
    const mismatch = ref ? sameAnswer(toLoki(r), ref) : 'no DuckDB hand answer to compare with';
    out.push({ id: s.id, ms: ms[Math.floor(ms.length / 2)], rows: r.rows.length, mismatch });
  }
  return out;
}
