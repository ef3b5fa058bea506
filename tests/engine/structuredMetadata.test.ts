// Structured metadata as Loki 3.7.6 answers it, on every engine, with and without TypeScript stages:
// - a metadata key clashing with a stream label is renamed `<name>_extracted` (LabelsBuilder.Add, run by the no-op
//   pipeline of a bare selector too): the stream label keeps its value, in log answers (both encodings) and in the
//   series of metric queries;
// - entries of one stream with equal time and line but different metadata are two entries (the ingester's duplicate
//   check and the querier's Entry.Equal compare metadata), equal ones are one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../server/engine/engine';
import type { QueryResult } from '../../server/engine/types';
import { encodeQueryResponseString } from '../../server/http/marshal';
import { enginesToTest } from '../engines';

const engines = await enginesToTest();
const S = 1_000_000_000n;
const START = 1_795_168_800_000_000_000n;
const T = (s: number) => START + BigInt(s) * S;
const ns = (s: number) => String(T(s));

type Encoded = {
  data: { result: { stream?: Record<string, string>; values: unknown[]; metric?: Record<string, string> }[] };
};

describe.each(engines)('structured metadata on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    await engine.push([
      {
        labels: { app: 'meta', host: 'h1' },
        entries: [
          { ts: T(1), line: 'msg=a', metadata: { host: 'mh', trace: 't1' } },
          { ts: T(2), line: 'msg=b', metadata: { trace: 't2' } },
          { ts: T(3), line: 'msg=c' },
          // equal time and line, metadata apart: two entries; the exact repeat is one
          { ts: T(4), line: 'msg=d', metadata: { trace: 't1' } },
          { ts: T(4), line: 'msg=d', metadata: { trace: 't2' } },
          { ts: T(4), line: 'msg=d', metadata: { trace: 't1' } },
        ],
      },
    ]);
    // a second push of the same entry with other metadata is stored too; with the same, it is not
    await engine.push([
      { labels: { app: 'meta', host: 'h1' }, entries: [{ ts: T(3), line: 'msg=c', metadata: { trace: 't3' } }] },
    ]);
    await engine.push([
      { labels: { app: 'meta', host: 'h1' }, entries: [{ ts: T(3), line: 'msg=c', metadata: { trace: 't3' } }] },
    ]);
  });
  afterAll(async () => engine?.close());

  const run = async (query: string, categorizeLabels = false) => {
    const res: QueryResult = await engine.query({
      query,
      start: T(0),
      end: T(10),
      step: 10n * S,
      instant: false,
      limit: 100,
      direction: 'forward',
    });
    return {
      ts: res.stats.tsStages,
      body: JSON.parse(encodeQueryResponseString(res, { categorizeLabels })) as Encoded,
    };
  };
  // (streams in any order: Loki sorts them by labels, compared here as sets)
  const canonical = (v: unknown): string =>
    JSON.stringify(v, (_, x: unknown) =>
      x && typeof x === 'object' && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).sort(([k], [l]) => (k < l ? -1 : 1)))
        : x,
    );
  const byJson = (a: unknown, b: unknown) => (canonical(a) < canonical(b) ? -1 : 1);
  const streams = (b: Encoded) => b.data.result.map((r) => ({ stream: r.stream, values: r.values })).sort(byJson);

  // the answer Loki gives without categorize-labels, for a selector (parsed: what `| logfmt` adds)
  const expected = (parsed: boolean) => {
    const p = (msg: string) => (parsed ? { msg } : {});
    return [
      { stream: { app: 'meta', host: 'h1', host_extracted: 'mh', trace: 't1', ...p('a') }, values: [[ns(1), 'msg=a']] },
      // (without `| logfmt`, b and the second d share a label set: one stream)
      ...(parsed
        ? [
            { stream: { app: 'meta', host: 'h1', trace: 't2', ...p('b') }, values: [[ns(2), 'msg=b']] },
            { stream: { app: 'meta', host: 'h1', trace: 't2', ...p('d') }, values: [[ns(4), 'msg=d']] },
          ]
        : [
            {
              stream: { app: 'meta', host: 'h1', trace: 't2' },
              values: [
                [ns(2), 'msg=b'],
                [ns(4), 'msg=d'],
              ],
            },
          ]),
      { stream: { app: 'meta', host: 'h1', ...p('c') }, values: [[ns(3), 'msg=c']] },
      { stream: { app: 'meta', host: 'h1', trace: 't3', ...p('c') }, values: [[ns(3), 'msg=c']] },
      { stream: { app: 'meta', host: 'h1', trace: 't1', ...p('d') }, values: [[ns(4), 'msg=d']] },
    ];
  };

  it.skipIf(!!skip)('a bare selector renames clashing metadata and keeps entries apart by metadata', async () => {
    const { ts, body } = await run('{app="meta"}');
    expect(ts).toEqual([]);
    expect(streams(body)).toEqual(expected(false).sort(byJson));
  });

  it.skipIf(!!skip)('the TypeScript pipeline answers the same', async () => {
    const { ts, body } = await run('{app="meta"} | logfmt');
    expect(ts.length).toBeGreaterThan(0);
    expect(streams(body)).toEqual(expected(true).sort(byJson));
  });

  it.skipIf(!!skip)('categorize-labels: stream labels apart from metadata and parsed labels', async () => {
    for (const parsed of [false, true]) {
      const { body } = await run(parsed ? '{app="meta"} | logfmt' : '{app="meta"}', true);
      expect(body.data.result.map((r) => r.stream)).toEqual([{ app: 'meta', host: 'h1' }]);
      const p = (msg: string) => (parsed ? { parsed: { msg } } : {});
      const md = (m: Record<string, string>) => ({ structuredMetadata: m });
      // (entries of one stream and time in any order)
      expect([...body.data.result[0]!.values].sort(byJson)).toEqual(
        [
          [ns(1), 'msg=a', { ...md({ host_extracted: 'mh', trace: 't1' }), ...p('a') }],
          [ns(2), 'msg=b', { ...md({ trace: 't2' }), ...p('b') }],
          [ns(3), 'msg=c', { ...p('c') }],
          [ns(3), 'msg=c', { ...md({ trace: 't3' }), ...p('c') }],
          [ns(4), 'msg=d', { ...md({ trace: 't1' }), ...p('d') }],
          [ns(4), 'msg=d', { ...md({ trace: 't2' }), ...p('d') }],
        ].sort(byJson),
      );
    }
  });

  it.skipIf(!!skip)('stages dropping the metadata that told entries apart make them one', async () => {
    const { body } = await run('{app="meta"} | drop trace');
    const all = body.data.result.flatMap((r) => r.values.map((v) => `${JSON.stringify(r.stream)} ${String(v)}`));
    expect(all.filter((v) => v.includes('msg=d'))).toEqual([`{"app":"meta","host":"h1"} ${ns(4)},msg=d`]);
  });

  const metric = async (query: string) =>
    (await run(query)).body.data.result.map((r) => ({ metric: r.metric, v: (r.values.at(-1) as unknown[])[1] }));

  it.skipIf(!!skip)(
    'metric queries: the clashing key groups by the stream label, its renamed twin by metadata',
    async () => {
      for (const pipe of ['', ' | logfmt']) {
        expect(await metric(`sum by (host) (count_over_time({app="meta"}${pipe} [10s]))`)).toEqual([
          { metric: { host: 'h1' }, v: '6' },
        ]);
        expect(
          (await metric(`sum by (host_extracted) (count_over_time({app="meta"}${pipe} [10s]))`)).sort(byJson),
        ).toEqual([
          { metric: { host_extracted: 'mh' }, v: '1' },
          { metric: {}, v: '5' },
        ]);
      }
      const bare = await metric('count_over_time({app="meta"} [10s])');
      expect(bare).toContainEqual({ metric: { app: 'meta', host: 'h1', host_extracted: 'mh', trace: 't1' }, v: '1' });
      expect(bare).toContainEqual({ metric: { app: 'meta', host: 'h1', trace: 't1' }, v: '1' });
      expect(bare.reduce((n, s) => n + Number(s.v), 0)).toBe(6);
    },
  );
});
