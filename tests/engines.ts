// The SQL engines every execution test runs on. Each entry opens a fresh, empty database; an engine whose system part
// is missing is skipped loudly outside CI (the reason says what is missing) and fails under CI=true.
import { Engine } from '../server/engine/engine';

export interface TestEngine {
  name: string;
  /** a database URL for a fresh empty database, or a reason the engine cannot run here */
  open(): Promise<Engine>;
  available(): Promise<true | string>;
}

export const ENGINES: TestEngine[] = [
  {
    name: 'duckdb',
    open: () => Engine.open('duckdb::memory:'),
    available: async () => true,
  },
];

/** Engines to test, each with `skip` set when it is not available (never under CI). */
export async function enginesToTest(): Promise<{ engine: TestEngine; skip?: string }[]> {
  const out: { engine: TestEngine; skip?: string }[] = [];
  for (const engine of ENGINES) {
    const ok = await engine.available();
    if (ok === true) out.push({ engine });
    else if (process.env.CI === 'true') throw new Error(`${engine.name} is required under CI=true: ${ok}`);
    else {
      console.warn(`SKIPPING ${engine.name} execution tests: ${ok}`);
      out.push({ engine, skip: ok });
    }
  }
  return out;
}
