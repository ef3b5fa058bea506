// Log queries walk time windows (newest first for backward) and stop once the limit is filled: the entries returned
// must be exactly the first `limit` in (ts, stream, line) order over the whole range, on every engine, with and
// without TypeScript stages, also when the matches are sparse, bunched or tied on timestamps across streams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../server/engine/engine';
import { enginesToTest } from '../engines';

const engines = await enginesToTest();
const MIN = 60_000_000_000n;
const START = 1_795_168_800_000_000_000n;
const END = START + 14n * 60n * MIN;

describe.each(engines)('log queries over time windows on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  const all: { stream: string; ts: bigint; line: string }[] = [];
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    const streams = ['a', 'b', 'c'].map((s, si) => {
      const entries = [];
      for (let i = 0; i < 400; i++) {
        // dense in the first and last hour, sparse in between; streams a and b share timestamps
        const ts =
          START +
          BigInt(i < 150 ? i * 20 : i < 250 ? 3000 + (i - 150) * 400 : 43000 + (i - 250) * 40) * 1_000_000_000n +
          BigInt(si === 2 ? 7 : 0);
        const line = `n=${(i * 7 + si) % 10} x=${i % 3 === 0 ? 'hit' : 'miss'} i=${i}`;
        entries.push({ ts, line });
        all.push({ stream: s, ts, line });
      }
      return { labels: { app: 'w', s }, entries };
    });
    await engine.push(streams);
  });
  afterAll(async () => engine?.close());

  const expected = async (keep: (line: string) => boolean, limit: number, backward: boolean) => {
    const ids = new Map((await engine.catalog.all()).map((s) => [s.labels.s, s.id]));
    const rows = all.filter((r) => keep(r.line) && r.ts >= START && r.ts < END);
    rows.sort((x, y) => {
      const c =
        x.ts < y.ts
          ? -1
          : x.ts > y.ts
            ? 1
            : ids.get(x.stream)! < ids.get(y.stream)!
              ? -1
              : ids.get(x.stream)! > ids.get(y.stream)!
                ? 1
                : x.line < y.line
                  ? -1
                  : x.line > y.line
                    ? 1
                    : 0;
      return backward ? -c : c;
    });
    return rows
      .slice(0, limit)
      .map((r) => `${r.stream} ${r.ts} ${r.line}`)
      .sort();
  };

  const cases: [string, (line: string) => boolean][] = [
    ['{app="w"}', () => true],
    ['{app="w"} |= "x=hit"', (l) => l.includes('x=hit')],
    ['{app="w"} | logfmt | n > 7', (l) => Number(/n=(\d+)/.exec(l)![1]) > 7],
    ['{app="w"} | logfmt | x="hit" | n < 2', (l) => l.includes('x=hit') && Number(/n=(\d+)/.exec(l)![1]) < 2],
  ];
  for (const [query, keep] of cases) {
    for (const limit of [1, 7, 60, 250, 5000]) {
      for (const direction of ['backward', 'forward'] as const) {
        it.skipIf(!!skip)(`${query} limit ${limit} ${direction}`, async () => {
          const res = await engine.query({ query, start: START, end: END, instant: false, limit, direction });
          if (res.data.resultType !== 'streams') throw new Error('streams expected');
          const got = res.data.result.flatMap((s) => s.entries.map((e) => `${s.labels.s} ${e.ts} ${e.line}`)).sort();
          expect(got).toEqual(await expected(keep, limit, direction === 'backward'));
        });
      }
    }
  }
});
