// Seeded differential test: generated metric queries over parsers, label filters and aggregations, each answered
// by the SQL pushdown path and by the TypeScript path (the reference, checked against Loki by the conformance suite)
// on every engine. Any pushdown that changes an answer fails here, whatever query a user writes. Bounded: a fixed
// seed and a fixed number of queries, small data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../server/engine/engine';
import { execContext } from './context';
import { runMetricQuery } from '../../server/engine/metricQuery';
import { parse } from '../../server/logql/check';
import type { MetricExpr } from '../../server/logql/ast';
import { stepGrid } from '../../server/eval/steps';
import { expectSameSeries } from './sameSeries';
import { generateDemo } from '../../server/demo';
import { enginesToTest } from '../engines';
import { prng } from './prng';

const engines = await enginesToTest();
const MIN = 60_000_000_000n;
const START = 1_795_168_800_000_000_000n;
const END = START + 60n * MIN;

interface Source {
  selector: string;
  parser: string;
  /** labels the parser produces: [name, kind] */
  fields: [string, 'num' | 'str' | 'dur'][];
  numbers: string[];
}

const SOURCES: Source[] = [
  {
    selector: '{app="web"}',
    parser: '| logfmt',
    fields: [
      ['status', 'num'],
      ['method', 'str'],
      ['level', 'str'],
      ['path', 'str'],
      ['duration', 'dur'],
      ['bytes', 'num'],
    ],
    numbers: ['bytes', 'status'],
  },
  {
    selector: '{app="api-gateway"}',
    parser: '| json',
    fields: [
      ['status', 'num'],
      ['method', 'str'],
      ['latency_ms', 'num'],
      ['user_region', 'str'],
      ['msg', 'str'],
    ],
    numbers: ['latency_ms', 'bytes'],
  },
  {
    selector: '{app="nginx"}',
    parser: '| pattern "<ip> - - [<_>] \\"<method> <path> <_>\\" <status> <size> <_>"',
    fields: [
      ['status', 'num'],
      ['method', 'str'],
      ['path', 'str'],
      ['size', 'num'],
    ],
    numbers: ['size', 'status'],
  },
  {
    selector: '{app="nginx"}',
    parser: '| regexp "\\"(?P<method>[A-Z]+) (?P<path>\\\\S+)[^\\"]*\\" (?P<status>\\\\d+)"',
    fields: [
      ['status', 'num'],
      ['method', 'str'],
      ['path', 'str'],
    ],
    numbers: ['status'],
  },
];

function generate(n: number, seed: number): string[] {
  const r = prng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const out: string[] = [];
  while (out.length < n) {
    const s = pick(SOURCES);
    const filter = (): string => {
      const [name, kind] = pick(s.fields);
      if (kind === 'num')
        return `${name} ${pick(['>=', '<', '==', '!=', '>'])} ${pick(['200', '404', '500', '1000', '0'])}`;
      if (kind === 'dur') return `${name} ${pick(['>', '<=', '>='])} ${pick(['50ms', '1s', '250ms'])}`;
      return `${name}${pick(['=', '!=', '=~', '!~'])}"${pick(['GET', 'info', 'G.*', '.+', '/api/.*', 'error|warn', ''])}"`;
    };
    const stages = [s.parser];
    const nf = Math.floor(r() * 3);
    for (let i = 0; i < nf; i++)
      stages.push(`| ${filter()}${r() < 0.3 ? ` ${pick(['or', 'and', ','])} ${filter()}` : ''}`);
    if (r() < 0.3) stages.push('| __error__=""');
    const range = pick(['1m', '5m', '150s']);
    const by = [pick(s.fields)[0], ...(r() < 0.3 ? ['pod'] : [])].join(', ');
    const pipeline = `${s.selector} ${r() < 0.2 ? '|= "a" ' : ''}${stages.join(' ')}`;
    const kind = r();
    if (kind < 0.55)
      out.push(`sum by (${by}) (${pick(['count_over_time', 'rate', 'bytes_over_time'])}(${pipeline} [${range}]))`);
    else if (kind < 0.7) out.push(`sum(count_over_time(${pipeline} [${range}]))`);
    else
      out.push(
        `${pick(['sum_over_time', 'max_over_time', 'avg_over_time'])}(${pipeline} | unwrap ${pick(s.numbers)} [${range}]) by (pod)`,
      );
  }
  return out;
}

/** An api-gateway stream whose JSON lines also spell the generated queries' labels other ways (sql/jsonSpellings.ts):
 *  padded, punctuated, escaped and nested keys, a key again after null, a top-level `user_region` beside the nested
 *  one. The demo's own streams stay clean, so each query reads both kinds. */
function otherSpellingsStream() {
  const r = prng(7);
  const n = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const status = () => n(['200', '404', '500', '503']);
  const variants = [
    () => `" status":${status()},"status":${status()}`,
    () => `"status":${status()},"status ":${status()}`,
    () => `"st\\u0061tus":${status()},"status":${status()}`,
    () => `"status":null,"status":${status()}`,
    () => `"status":${status()},"latency-ms":${Math.floor(r() * 2000)}`,
    () => `"status":${status()},"latency":{"ms":${Math.floor(r() * 2000)}}`,
    () => `"latency_ms":[1],"latency_ms":${Math.floor(r() * 2000)},"status":${status()}`,
    () => `"user_region":"${n(['eu', 'GET', 'info'])}","status":${status()}`,
    () => `"status":${status()},"latency_ms":${Math.floor(r() * 2000)}`,
  ];
  return {
    labels: { app: 'api-gateway', env: 'prod', namespace: 'shop', pod: 'api-gateway-odd', service_name: 'api-gateway' },
    entries: Array.from({ length: 600 }, (_, i) => ({
      ts: START + BigInt(i) * 6_000_000_000n + 1_000_000n,
      line: `{"level":"${n(['info', 'warn', 'error'])}","msg":"${n(['GET', 'info', 'x'])}","method":"${n(['GET', 'POST'])}",${n(variants)()},"user":{"region":"${n(['eu', 'us'])}"}}`,
    })),
  };
}

const QUERIES = generate(Number(process.env.DIFF_QUERIES ?? 100), Number(process.env.DIFF_SEED ?? 20261205));

describe.each(engines)('generated queries: SQL pushdown equals TypeScript on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    await engine.push(generateDemo({ start: START - 10n * MIN, end: END, linesPerMinute: 120, seed: 11 }));
    await engine.push([otherSpellingsStream()]);
  });
  afterAll(async () => engine?.close());

  let pushed = 0;
  const run = async (query: string, pushdown: boolean) => {
    const ctx = execContext(engine, query, pushdown);
    const v = await runMetricQuery(ctx, parse(query) as MetricExpr, stepGrid(START, END, 2n * MIN, false));
    if (pushdown && !ctx.stats.sql.some((s) => s.includes('ORDER BY'))) pushed++;
    return v;
  };

  for (const query of QUERIES) {
    it.skipIf(!!skip)(query, async () => {
      const [a, b] = await Promise.all([run(query, true), run(query, false)].map((p) => p.catch((e: Error) => e)));
      if (a instanceof Error || b instanceof Error) {
        expect(String(a)).toEqual(String(b));
        return;
      }
      expectSameSeries(a, b, 6);
    });
  }

  // the comparison is not vacuous: where the dialect runs parsers in SQL, most generated queries took that path
  it.skipIf(!!skip)('most generated queries ran in the database', () => {
    if (engine.dialect.parsers) expect(pushed).toBeGreaterThan(QUERIES.length / 2);
  });
});
