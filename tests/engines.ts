// The SQL engines every execution test runs on (the matrix of tests/matrix/engines.ts): DuckDB in memory, a real
// PostgreSQL server, ClickHouse through chDB. Each `open()` gives a fresh, empty database, dropped on close. An engine
// whose system part is missing is skipped loudly outside CI (the reason names what is missing) and fails under CI=true.
import { Engine } from '../server/engine/engine';
import { MATRIX_ENGINES, matrixDatabase, unavailable, type MatrixEngine } from './matrix/engines';

export interface TestEngine {
  name: MatrixEngine;
  open(): Promise<Engine>;
}

function testEngine(name: MatrixEngine): TestEngine {
  return {
    name,
    open: async () => {
      const db = await matrixDatabase(name);
      const engine = await Engine.open(db.url);
      const close = engine.close.bind(engine);
      engine.close = async () => {
        await close();
        await db.cleanup();
      };
      return engine;
    },
  };
}

/** Engines to test, each with `skip` set when it is not available here (never under CI=true). */
export async function enginesToTest(): Promise<{ engine: TestEngine; skip?: string }[]> {
  const out: { engine: TestEngine; skip?: string }[] = [];
  for (const name of MATRIX_ENGINES) {
    const reason = await unavailable(name);
    if (reason) console.warn(`SKIPPING ${name} execution tests: ${reason}`);
    out.push({ engine: testEngine(name), skip: reason });
  }
  return out;
}
