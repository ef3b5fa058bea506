// Layers 2–3 of the tests (DESIGN §7): every case Loki answered, replayed through our engine on each engine of the
// execution matrix — DuckDB, PostgreSQL (a real server, see tests/matrix/engines.ts) and ClickHouse (chDB) — all with
// the native schema. Every engine must give Loki's answer, case by case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/engine/engine';
import { LogQLError } from '../../server/logql/errors';
import { compare, loadCases, loadDataset, runCase } from './cases';
import { MATRIX_ENGINES, matrixDatabase, unavailable, type EngineHandle } from '../matrix/engines';

const only = process.env.LOGQLSQL_MATRIX?.split(',');

for (const name of MATRIX_ENGINES.filter((e) => !only || only.includes(e))) {
  const why = await unavailable(name);
  if (why) console.warn(`\n*** SKIPPED: conformance on ${name}: ${why} ***\n`);

  describe.skipIf(why !== undefined)(`conformance with Loki 3.7.6 answers (${name})`, () => {
    let engine: Engine;
    let db: EngineHandle;
    beforeAll(async () => {
      db = await matrixDatabase(name);
      engine = await Engine.open(db.url);
      await engine.push(loadDataset());
    });
    afterAll(async () => {
      await engine?.close();
      await db?.cleanup();
    });

    for (const c of loadCases()) {
      it(`${c.id}: ${c.params.query ?? c.path}`, async () => {
        if (c.status !== 200) {
          const err = await runCase(engine, c).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err, 'Loki rejected this query with a 4xx').toBeInstanceOf(LogQLError);
          expect((err as LogQLError).isUserError).toBe(true);
          return;
        }
        const got = await runCase(engine, c);
        expect(compare(c, got)).toBeUndefined();
      });
    }
  });
}
