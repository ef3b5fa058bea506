// Regex line filters that are only literals (`error|timeout`, `(?i)fatal`, `a\.b`) push down as substring tests on an
// engine without RE2 (PostgreSQL: capabilities.literalRegex). Every engine must keep exactly the lines Loki's RE2 keeps,
// on lines built to break case folding: other cases, the Kelvin sign and long s that Go folds to k and s (those
// literals stay in TypeScript), dotted and dotless i, regex punctuation as text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../server/engine/engine';
import { execContext } from './context';
import { runLogQuery } from '../../server/engine/logQuery';
import { parse } from '../../server/logql/check';
import type { LogExpr } from '../../server/logql/ast';
import { enginesToTest } from '../engines';
import { at, T0 } from './fixture';

const engines = await enginesToTest();

const LINES = [
  'an ERROR happened',
  'Error: disk full',
  'request TimeOut after 5s',
  'all fine',
  'FATAL: no space',
  'fatality',
  'a.b matched',
  'axb is not a.b-like? it is: a.b',
  'axb only',
  'DI\u212AK almost (Kelvin sign)',
  '\u017Ftatus with a long s',
  'T\u0130MEOUT with a dotted capital I',
  't\u0131meout with a dotless i',
  'WARN low memory',
];

/** query → whether PostgreSQL runs its line filter in SQL */
const QUERIES: Record<string, boolean> = {
  '{app="lr"} |~ "(?i)error|timeout"': true,
  '{app="lr"} !~ "(?i)fatal"': true,
  '{app="lr"} |~ "a\\\\.b"': true,
  '{app="lr"} |~ "error" or "WARN"': true,
  '{app="lr"} |~ "(?i)disk"': false, // k: Go folds it to the Kelvin sign
  '{app="lr"} |~ "(?i)status"': false, // s: Go folds it to the long s
  '{app="lr"} |~ "a.b"': false, // a real regex
};

describe.each(engines)('literal regex line filters on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    await engine.push([{ labels: { app: 'lr' }, entries: LINES.map((line, i) => ({ ts: at(i + 1), line })) }]);
  });
  afterAll(async () => engine?.close());

  const run = async (query: string, pushdown: boolean) => {
    const ctx = execContext(engine, query, pushdown);
    const res = await runLogQuery(ctx, {
      expr: parse(query) as LogExpr,
      from: T0,
      to: at(60),
      limit: 100,
      direction: 'forward',
    });
    return { lines: res.streams.flatMap((s) => s.entries.map((e) => e.line)), stats: ctx.stats };
  };

  for (const [query, inSql] of Object.entries(QUERIES)) {
    it.skipIf(!!skip)(query, async () => {
      const got = await run(query, true);
      // the reference: RE2 semantics, as JavaScript's engine gives them for these patterns (u flag: code points)
      const q = parse(query) as LogExpr;
      const stage = q.pipeline[0] as { filter: { op: string; values: { value: string }[] } };
      const re = stage.filter.values.map((v) => {
        const ci = v.value.startsWith('(?i)');
        return new RegExp(ci ? v.value.slice(4) : v.value, ci ? 'iu' : 'u');
      });
      const keep = (l: string) => re.some((r) => r.test(l)) === (stage.filter.op === '|~');
      expect(got.lines).toEqual(LINES.filter(keep));
      if (te.name === 'postgres') {
        expect(got.stats.tsStages.some((s) => /regex line filter/.test(s))).toBe(!inSql);
      }
    });
  }
});
