// The engines of the execution matrix (DESIGN §7) and what the tests need to reach them:
//   duckdb      in-memory, always;
//   postgres    a real PostgreSQL server: $LOGQLSQL_TEST_POSTGRES_URL (an account that may CREATE DATABASE), else
//               the local Debian cluster — started here when it is installed but down (`pg_ctlcluster <v> main
//               start`, as root), with a `logqlsql` role created through the `postgres` OS account. Each test file
//               gets its own database, dropped afterwards. Not installed: the PostgreSQL suites are skipped loudly,
//               unless CI=true (then they fail: CI must run the whole matrix);
//   clickhouse  chDB in-process (npm `chdb`), a temporary directory per engine.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import pg from 'pg';

export type MatrixEngine = 'duckdb' | 'postgres' | 'clickhouse';
export const MATRIX_ENGINES: MatrixEngine[] = ['duckdb', 'postgres', 'clickhouse'];

const ROLE = 'logqlsql';
const PASSWORD = 'logqlsql_test';

export class EngineUnavailable extends Error {}

async function canConnect(url: string): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await c.end().catch(() => undefined);
  }
}

function debianVersions(): string[] {
  const dir = '/usr/lib/postgresql';
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((v) => existsSync(`${dir}/${v}/bin/postgres`));
}

function asPostgresUser(sql: string): void {
  execFileSync('su', ['postgres', '-c', 'psql -v ON_ERROR_STOP=1 -q -X'], {
    input: sql,
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: '/',
  });
}

let adminUrl: Promise<string> | undefined;

/** A URL of an account that can create databases, starting the local cluster if needed. */
function postgresAdminUrl(): Promise<string> {
  adminUrl ??= (async () => {
    const given = process.env.LOGQLSQL_TEST_POSTGRES_URL;
    if (given) {
      const err = await canConnect(given);
      if (err) throw new Error(`LOGQLSQL_TEST_POSTGRES_URL is set but unreachable: ${err}`);
      return given;
    }
    const url = `postgres://${ROLE}:${PASSWORD}@127.0.0.1:5432/postgres`;
    if (!(await canConnect(url))) return url;
    const versions = debianVersions();
    if (versions.length === 0) {
      throw new EngineUnavailable(
        'PostgreSQL is not installed (Debian package `postgresql`; `apt-get install -y postgresql`)',
      );
    }
    if (process.getuid?.() !== 0) {
      throw new EngineUnavailable(
        'PostgreSQL is installed but not reachable, and only root may start the Debian cluster here',
      );
    }
    const v = versions.sort().at(-1)!;
    try {
      execFileSync('pg_ctlcluster', [v, 'main', 'start'], { stdio: 'pipe' });
    } catch (e) {
      // already running is fine; anything else shows up in the connection attempt below
      if (!/already running/i.test(String((e as { stderr?: Buffer }).stderr ?? e))) {
        /* fall through */
      }
    }
    for (let i = 0; i < 40; i++) {
      try {
        asPostgresUser(`DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${ROLE}') THEN
            CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${PASSWORD}';
          ELSE
            ALTER ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${PASSWORD}';
          END IF;
        END $$;
        -- DROP DATABASE … WITH (FORCE) ends the database's other backends: an autovacuum worker busy on a test
        -- database after heavy pushes is one the role may not signal without this
        GRANT pg_signal_backend TO ${ROLE};`);
        break;
      } catch (e) {
        if (i === 39)
          throw new Error(
            `could not prepare the PostgreSQL ${v} cluster: ${String((e as { stderr?: Buffer }).stderr ?? e)}`,
          );
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const err = await canConnect(url);
    if (err) throw new Error(`PostgreSQL ${v} started but ${url.replace(PASSWORD, '***')} is unreachable: ${err}`);
    return url;
  })();
  return adminUrl;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file. */
export async function createPostgresDatabase(prefix = 'logqlsql_test'): Promise<TestDatabase> {
  const admin = await postgresAdminUrl();
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      try {
        await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await d.end();
      }
    },
  };
}

export interface EngineHandle {
  engine: MatrixEngine;
  url: string;
  cleanup(): Promise<void>;
}

/** Database URL for an engine of the matrix, or the reason it is unavailable (only outside CI). */
export async function matrixDatabase(engine: MatrixEngine): Promise<EngineHandle> {
  switch (engine) {
    case 'duckdb':
      return { engine, url: 'duckdb::memory:', cleanup: async () => undefined };
    case 'clickhouse':
      return { engine, url: 'chdb::memory:', cleanup: async () => undefined };
    case 'postgres': {
      const db = await createPostgresDatabase();
      return { engine, url: db.url, cleanup: db.drop };
    }
  }
}

/** Whether an engine's suite must be skipped here: a message to print, or undefined to run it. Under CI=true
 *  nothing is skipped (the error surfaces in the suite instead). */
export async function unavailable(engine: MatrixEngine): Promise<string | undefined> {
  if (engine !== 'postgres' || process.env.CI === 'true') return undefined;
  try {
    await postgresAdminUrl();
    return undefined;
  } catch (e) {
    if (e instanceof EngineUnavailable) return e.message;
    throw e;
  }
}
