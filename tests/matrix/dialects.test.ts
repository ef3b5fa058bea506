// Execution matrix (DESIGN §7 layer 2) for what the dialects render differently: user text reaches every engine only
// as a bound parameter (hostile strings match literally), regex flavour (ClickHouse's `.` vs newline, PostgreSQL's
// POSIX regexes kept out of SQL), byte lengths, and the errors for unreachable databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/engine/engine';
import { openDriver } from '../../server/sql/open';
import { numberLiteral } from '../../server/sql/dialect';
import { MATRIX_ENGINES, matrixDatabase, unavailable, type EngineHandle } from './engines';

const only = process.env.LOGQLSQL_MATRIX?.split(',');
const T0 = 1_795_168_800_000_000_000n;

const HOSTILE = [
  "it's",
  'back\\slash',
  '100% _done_',
  '{p1:String}',
  '$1::text',
  "'); DROP TABLE entries; --",
  'tab\there',
  'new\nline',
  '"quoted"',
  '결제 🚀',
  "\\' \\\\' ''",
];

for (const name of MATRIX_ENGINES.filter((e) => !only || only.includes(e))) {
  const why = await unavailable(name);
  if (why) console.warn(`\n*** SKIPPED: dialect matrix on ${name}: ${why} ***\n`);

  describe.skipIf(why !== undefined)(`dialect matrix on ${name}`, () => {
    let engine: Engine;
    let db: EngineHandle;
    beforeAll(async () => {
      db = await matrixDatabase(name);
      engine = await Engine.open(db.url);
      const lines = [...HOSTILE.map((h) => `before ${h} after`), 'a\nb', 'axb', 'plain'];
      await engine.push([
        { labels: { app: 'h' }, entries: lines.map((line, i) => ({ ts: T0 + BigInt(i), line })) },
        { labels: { app: 'dup' }, entries: [{ ts: T0, line: '{"v": 1, "v": 2, "s": "2.5"}' }] },
      ]);
    });
    afterAll(async () => {
      await engine?.close();
      await db?.cleanup();
    });

    const lines = async (query: string) => {
      const res = await engine.query({
        query,
        start: T0,
        end: T0 + 1000n,
        instant: false,
        limit: 100,
        direction: 'forward',
      });
      if (res.data.resultType !== 'streams') throw new Error('expected streams');
      return res.data.result.flatMap((s) => s.entries.map((e) => e.line));
    };
    const lit = (s: string) => JSON.stringify(s); // a LogQL double-quoted string

    for (const h of HOSTILE) {
      it(`binds ${JSON.stringify(h)} as a literal`, async () => {
        expect(await lines(`{app="h"} |= ${lit(h)}`)).toEqual([`before ${h} after`]);
        expect((await lines(`{app="h"} != ${lit(h)}`)).length).toBe(HOSTILE.length + 2);
      });
    }

    it('regex `.` does not match a newline (Go/Loki semantics), (?s) makes it', async () => {
      expect(await lines('{app="h"} |~ "^a.b$"')).toEqual(['axb']);
      expect(await lines('{app="h"} |~ "(?s)^a.b$"')).toEqual(['a\nb', 'axb']);
      expect(await lines('{app="h"} |~ "(?i)PLAIN"')).toEqual(['plain']);
      expect(await lines(`{app="h"} |~ "\\\\d{3}"`)).toEqual(['before 100% _done_ after']);
      expect(await lines(`{app="h"} |~ "\\\\pL\\\\pL \\\\x{1F680}"`)).toEqual(['before 결제 🚀 after']);
    });

    it('unwraps the first of duplicate JSON keys (as Loki), in the database', async () => {
      for (const [field, want] of [
        ['v', 1],
        ['s', 2.5],
      ] as const) {
        const res = await engine.query({
          query: `sum by (app) (sum_over_time({app="dup"} | json | unwrap ${field} [1s]))`,
          start: T0 + 1000n,
          end: T0 + 1000n,
          instant: true,
          limit: 100,
          direction: 'backward',
        });
        expect(res.data.resultType === 'vector' ? Number(res.data.result[0].value[1]) : NaN).toBe(want);
        expect(res.stats.tsStages.join(';')).not.toMatch(/could not parse/);
      }
    });

    it('counts bytes as UTF-8', async () => {
      const res = await engine.query({
        query: 'sum(bytes_over_time({app="h"} |= "결제" [1s]))',
        start: T0 + 1000n,
        end: T0 + 1000n,
        instant: true,
        limit: 100,
        direction: 'backward',
      });
      const v = res.data.resultType === 'vector' ? res.data.result[0].value[1] : undefined;
      expect(Number(v)).toBe(Buffer.byteLength('before 결제 🚀 after'));
    });

    it('translates for every dialect', async () => {
      for (const d of ['duckdb', 'postgres', 'clickhouse']) {
        const t = await engine.translate('count_over_time({app="h"} |= "x" [1m])', d);
        expect(t.explain).toContain(`dialect: ${d}`);
      }
      await expect(engine.translate('{app="h"}', 'oracle')).rejects.toThrow(/unknown SQL dialect "oracle"/);
    });
  });
}

describe('database errors', () => {
  it('names an unreachable PostgreSQL server (password hidden)', async () => {
    await expect(openDriver('postgres://u:secret@127.0.0.1:1/db')).rejects.toThrow(
      /cannot connect to PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db: .*ECONNREFUSED/,
    );
  });
  it('names an unreachable ClickHouse server', async () => {
    await expect(openDriver('clickhouse://u:secret@127.0.0.1:1/db')).rejects.toThrow(
      /cannot connect to ClickHouse at http:\/\/u:\*\*\*@127\.0\.0\.1:1\/db/,
    );
  });
  it('writes only finite numbers as literals', () => {
    expect(numberLiteral(0.95)).toBe('0.95');
    expect(numberLiteral(1e-7)).toBe('1e-7');
    expect(() => numberLiteral(NaN)).toThrow();
    expect(() => numberLiteral(Infinity)).toThrow();
  });
});
