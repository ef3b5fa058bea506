// Layer 3 of the tests (DESIGN §7): every case Loki answered, replayed through our engine on DuckDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/engine/engine';
import { LogQLError } from '../../server/logql/errors';
import { compare, loadCases, loadDataset, runCase } from './cases';

describe('conformance with Loki 2.9 answers (DuckDB)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open('duckdb::memory:');
    await engine.push(loadDataset());
  });
  afterAll(async () => engine?.close());

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
