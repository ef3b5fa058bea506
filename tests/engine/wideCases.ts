// The data and the query generator of differentialWide.test.ts (a module of its own so that a mismatch can be
// replayed alone).
import { parse } from '../../server/logql/check';
import type { Direction, Labels, PushStream } from '../../server/engine/types';
import { prng } from './prng';

export const S = 1_000_000_000n;
export const MIN = 60n * S;
/** a whole hour */
export const START = 1_795_168_800_000_000_000n;
export const END = START + 60n * MIN;
export const DATA_FROM = START - 10n * MIN;

const EDGE_LINES = [
  'level=info msg="Hello World" status=200 took=1.5s size=10KB',
  'level=error msg="upstream ERROR" status=503 took=250ms size=2MiB',
  'level=warn status=429 took=75ms size=512B msg=Retrying',
  '{"level":"ERROR","msg":"Grüße ✓","latency":"250ms","size":"3KB","status":500}',
  '{"level":"info","msg":"ok","latency":"1m5s","size":"1.5MB","status":200}',
  '{"level":"debug","msg":"broken",',
  '\u001b[31mERROR\u001b[0m failed status=500 took=2s',
  '\u001b[32minfo\u001b[0m done status=200 took=12ms size=100b',
  'GRÜSSE from the edge status=404 took=0.5s',
  'plain text line without fields',
  'level=Info status=abc took=soon size=huge',
];

/** Entries on minute edges, a nanosecond either side, a few repeated (same stream, time and line: with the same
 *  metadata, or other metadata, which makes a second entry), some with structured metadata (one key clashing with a
 *  parsed label, one with a stream label, which Loki renames `host_extracted`). */
export function edgeStreams(seed: number): PushStream[] {
  const r = prng(seed);
  const out: PushStream[] = [];
  for (const host of ['a', 'b']) {
    const entries: PushStream['entries'] = [];
    for (let t = DATA_FROM; t < END; t += MIN) {
      for (const d of [0n, -1n, 1n, BigInt(Math.floor(r() * 60)) * S, BigInt(Math.floor(r() * 6e10))]) {
        if (r() < 0.35) continue;
        const line = EDGE_LINES[Math.floor(r() * EDGE_LINES.length)];
        const m = r();
        const metadata: Labels | undefined =
          host === 'b' && m < 0.25
            ? { trace_id: m < 0.12 ? 't1' : 't2' }
            : m > 0.93
              ? { level: 'meta' }
              : m > 0.88
                ? { host: 'mh', trace_id: 't3' }
                : undefined;
        entries.push({ ts: t + d, line, ...(metadata ? { metadata } : {}) });
        const again = r();
        if (again < 0.05) entries.push({ ts: t + d, line, ...(metadata ? { metadata } : {}) });
        else if (again < 0.08) entries.push({ ts: t + d, line, metadata: { trace_id: 'again' } });
      }
    }
    entries.sort((x, y) => (x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : 0));
    out.push({ labels: { app: 'edge', host, namespace: 'edge' }, entries });
  }
  return out;
}

type Kind = 'num' | 'str' | 'dur' | 'bytes';
interface Source {
  selector: string[];
  parsers: string[];
  fields: [string, Kind][];
  /** unwrap clauses */
  unwraps: string[];
  words: string[];
}

const SOURCES: Source[] = [
  {
    selector: ['{app="web"}', '{app=~"web|edge"}', '{namespace="shop", app="web"}'],
    parsers: ['| logfmt', '| logfmt --strict', '| logfmt status, d="duration"'],
    fields: [
      ['status', 'num'],
      ['method', 'str'],
      ['level', 'str'],
      ['path', 'str'],
      ['duration', 'dur'],
      ['bytes', 'bytes'],
      ['user', 'str'],
    ],
    unwraps: ['bytes', 'status', 'duration(duration)', 'bytes(bytes)'],
    words: ['GET', 'level=error', 'status=5', 'checkout', 'ms'],
  },
  {
    selector: ['{app="api-gateway"}', '{app="api-gateway", level!="debug"}'],
    parsers: ['| json', '| json status, lat="latency_ms", region="user.region"', '| json | keep status, method, level'],
    fields: [
      ['status', 'num'],
      ['method', 'str'],
      ['latency_ms', 'num'],
      ['bytes', 'num'],
      ['user_region', 'str'],
      ['msg', 'str'],
      ['level', 'str'],
    ],
    unwraps: ['latency_ms', 'bytes', 'status'],
    words: ['POST', '"status":5', 'payment', '주문', 'timeout'],
  },
  {
    selector: ['{app="nginx"}'],
    parsers: [
      '| pattern "<ip> - - [<_>] \\"<method> <path> <_>\\" <status> <size> <_>"',
      '| regexp "\\"(?P<method>[A-Z]+) (?P<path>\\\\S+)[^\\"]*\\" (?P<status>\\\\d+) (?P<size>\\\\d+)"',
    ],
    fields: [
      ['status', 'num'],
      ['method', 'str'],
      ['path', 'str'],
      ['size', 'num'],
    ],
    unwraps: ['size', 'status'],
    words: ['GET', 'POST /api', '" 5', 'curl', 'Grafana'],
  },
  {
    selector: ['{app="worker"}', '{namespace="jobs"}'],
    parsers: ['| json', '| logfmt', '| regexp "job (?P<job>\\\\S+) #(?P<job_id>\\\\d+) done in (?P<took>\\\\w+)"'],
    fields: [
      ['job', 'str'],
      ['job_id', 'num'],
      ['attempt', 'num'],
      ['duration_ms', 'num'],
      ['took', 'dur'],
      ['level', 'str'],
    ],
    unwraps: ['duration_ms', 'attempt', 'duration(took)'],
    words: ['INFO', 'job', 'failed', 'resize', '"attempt":2'],
  },
  {
    selector: ['{app="postgres"}'],
    parsers: ['| regexp "duration: (?P<dur>[0-9.]+) ms"', '| pattern "<_> <_> <_> [<pid>] <kind>:  <rest>"'],
    fields: [
      ['dur', 'num'],
      ['pid', 'num'],
      ['kind', 'str'],
      ['rest', 'str'],
    ],
    unwraps: ['dur', 'pid'],
    words: ['LOG', 'ERROR', 'duration', 'checkpoint', 'INSERT'],
  },
  {
    selector: ['{app="checkout"}'],
    parsers: ['| json', '| json sev="severity", items="cart.items"'],
    fields: [
      ['severity', 'str'],
      ['message', 'str'],
      ['cart_items', 'num'],
      ['cart_total_eur', 'num'],
      ['latency_ms', 'num'],
    ],
    unwraps: ['latency_ms', 'cart_total_eur', 'cart_items'],
    words: ['info', '✓', 'корзина', 'gracias', '"items":7'],
  },
  {
    selector: ['{app="edge"}', '{app="edge", host="b"}', '{namespace="edge"}'],
    parsers: ['| logfmt', '| json', '| decolorize | logfmt', '| regexp "status=(?P<status>\\\\d+)"'],
    fields: [
      ['level', 'str'],
      ['msg', 'str'],
      ['status', 'num'],
      ['took', 'dur'],
      ['latency', 'dur'],
      ['size', 'bytes'],
      ['trace_id', 'str'],
      ['host_extracted', 'str'],
    ],
    unwraps: ['status', 'duration(took)', 'bytes(size)', 'duration(latency)', 'bytes(size) | __error__=""'],
    words: ['error', 'ERROR', 'grüße', '\u001b[31m', 'status=5', '✓'],
  },
];

const REGEXES = [
  '(?i)error',
  'err(or)?',
  '(?i)get|post',
  '[0-9]{3}',
  '(?i)grüße',
  '^level=',
  'status=(2|5)',
  '\\d+ms',
  '(?i)INFO',
  'ms$',
  '.',
  '',
];

function generator(seed: number) {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const chance = (p: number) => r() < p;
  const quote = (s: string) => JSON.stringify(s);

  const lineFilter = (s: Source): string => {
    const op = pick(['|=', '!=', '|~', '!~', '|=', '|~']);
    const value = () => (op.endsWith('~') ? quote(pick(REGEXES)) : quote(pick([...s.words, ''])));
    return `${op} ${value()}${chance(0.15) ? ` or ${value()}` : ''}`;
  };
  const labelFilter = (s: Source): string => {
    const [name, kind] = pick(s.fields);
    const cmp = () => pick(['>', '>=', '<', '<=', '==', '!=']);
    if (kind === 'num') return `${name} ${cmp()} ${pick(['0', '1', '200', '404', '500', '12.5', '1000', '-1'])}`;
    if (kind === 'dur') return `${name} ${cmp()} ${pick(['50ms', '1s', '250ms', '0s', '1m', '1.5s'])}`;
    if (kind === 'bytes') return `${name} ${cmp()} ${pick(['1KB', '10KB', '2MiB', '0B', '100b', '30kB'])}`;
    return `${name}${pick(['=', '!=', '=~', '!~'])}${quote(pick(['GET', 'info', 'error', 'G.*', '.+', '(?i)ERROR', '', 'a|b', '/api/.*']))}`;
  };
  const filterExpr = (s: Source): string => {
    if (chance(0.12)) return pick(['__error__=""', '__error__!=""', '__error__="JSONParserErr"', '__error__=~".+"']);
    const a = labelFilter(s);
    return chance(0.25) ? `${a} ${pick(['or', 'and', ','])} ${labelFilter(s)}` : a;
  };
  /** selector and pipeline: [0] the text, [1] whether a parser ran */
  const pipeline = (s: Source, opts: { parser: boolean }): string => {
    const stages: string[] = [pick(s.selector)];
    for (let i = Math.floor(r() * 3); i > 0; i--) stages.push(lineFilter(s));
    if (opts.parser) {
      // a drop or keep before the parser: it removes stream labels only
      if (chance(0.1)) stages.push(pick(['| drop host', '| drop pod, level', '| keep app, level', '| drop host="b"']));
      const parser = pick(s.parsers);
      stages.push(
        parser === '| logfmt' && chance(0.25) ? pick(['| logfmt --keep-empty', '| logfmt --strict']) : parser,
      );
      for (let i = Math.floor(r() * 3); i > 0; i--) {
        const k = r();
        if (k < 0.6) stages.push(`| ${filterExpr(s)}`);
        else if (k < 0.7) stages.push(lineFilter(s));
        else if (k < 0.8) stages.push(`| ${pick(['drop', 'keep'])} ${pick(s.fields)[0]}${chance(0.3) ? ', pod' : ''}`);
        else if (k < 0.9) stages.push(`| drop __error__, __error_details__`);
        else if (chance(0.5))
          stages.push(`| label_format ${pick(['lbl', pick(s.fields)[0]])}="{{.${pick(s.fields)[0]}}}"`);
        else {
          // a rename, onto a stream label, through a function, or several in one stage
          const field = () => pick(s.fields)[0];
          const op = () =>
            pick([
              `${pick(['lbl', 'level', 'host', field()])}=${field()}`,
              `${pick(['lbl', 'level', 'pod'])}="{{ ${pick(['ToUpper', 'ToLower', 'TrimSpace', 'upper', 'trim'])} .${field()} }}"`,
              `lbl="{{.${field()} | lower}}-{{.pod}}"`,
            ]);
          const first = op();
          const second = op();
          const dst = (o: string) => o.slice(0, o.indexOf('='));
          stages.push(`| label_format ${first}${chance(0.3) && dst(first) !== dst(second) ? `, ${second}` : ''}`);
        }
      }
    } else if (chance(0.3))
      stages.push(
        `| ${filterExpr({
          ...s,
          fields: [
            ['pod', 'str'],
            ['host', 'str'],
          ],
        })}`,
      );
    return stages.join(' ');
  };
  const formatters = (s: Source): string => {
    const out: string[] = [];
    if (chance(0.2)) out.push('| decolorize');
    if (chance(0.25))
      out.push(
        `| line_format ${quote(pick(['{{.level}} {{.status}}', '{{__line__}}', '{{ .method | upper }}', 'x{{.msg}}', `{{.${pick(s.fields)[0]}}}`]))}`,
      );
    if (out.length && chance(0.5)) out.push(lineFilter(s));
    return out.join(' ');
  };

  const range = () => pick(['1m', '5m', '10m', '2m', '90s', '150s', '30s', '1h']);
  const offset = () => (chance(0.2) ? ` offset ${pick(['1m', '5m', '30s', '90s'])}` : '');
  const grouping = (s: Source, parsed: boolean) => {
    const labels = [
      ...(parsed ? [pick(s.fields)[0]] : []),
      pick(['pod', 'app', 'level', 'host', 'namespace', 'host_extracted']),
    ];
    return `${pick(['by', 'by', 'without'])} (${[...new Set(labels.slice(0, 1 + Math.floor(r() * 2)))].join(', ')})`;
  };

  const counting = (s: Source): { q: string; s: Source } => {
    const parsed = chance(0.5);
    const fn = pick(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate']);
    let inner = `${fn}(${pipeline(s, { parser: parsed })}${parsed && chance(0.3) ? ` ${formatters(s)}` : ''} [${range()}]${offset()})`;
    if (chance(0.08)) inner = `absent_over_time(${pipeline(s, { parser: false })} [${range()}]${offset()})`;
    return { q: inner, s };
  };
  const unwrapped = (s: Source): string => {
    const fn = pick([
      'sum_over_time',
      'avg_over_time',
      'min_over_time',
      'max_over_time',
      'stddev_over_time',
      'stdvar_over_time',
      'quantile_over_time',
      'first_over_time',
      'last_over_time',
      'rate',
      'rate_counter',
    ]);
    const param = fn === 'quantile_over_time' ? `${pick(['0.5', '0.99', '0', '1', '0.25'])}, ` : '';
    const by = chance(0.4) && fn !== 'rate' && fn !== 'rate_counter' ? ` ${grouping(s, true)}` : '';
    return `${fn}(${param}${pipeline(s, { parser: true })} | unwrap ${pick(s.unwraps)} [${range()}]${offset()})${by}`;
  };
  const rangeAgg = (s: Source): string => (chance(0.6) ? counting(s).q : unwrapped(s));
  const vectorAgg = (s: Source, inner: string): string => {
    const k = r();
    if (k < 0.45)
      return `${pick(['sum', 'sum', 'max', 'min', 'avg', 'count', 'stddev'])} ${grouping(s, true)} (${inner})`;
    if (k < 0.55) return `${pick(['topk', 'bottomk'])}(${pick([1, 2, 5])}, ${inner})`;
    if (k < 0.65) return `sum(${inner})`;
    return inner;
  };
  const metric = (): string => {
    const s = pick(SOURCES);
    const a = vectorAgg(s, rangeAgg(s));
    const k = r();
    if (k < 0.75) return a;
    if (k < 0.88) return `${a} ${pick(['*', '/', '+', '>', '< bool', '>='])} ${pick(['2', '0.5', '10', '0'])}`;
    const s2 = chance(0.5) ? s : pick(SOURCES);
    const op = pick(['/', '+', 'and', 'or', 'unless', '>']);
    return `sum by (pod) (${counting(s).q}) ${op} sum by (pod) (${counting(s2).q})`;
  };
  const log = (): string => {
    const s = pick(SOURCES);
    const parsed = chance(0.6);
    return `${pipeline(s, { parser: parsed })}${chance(0.4) ? ` ${formatters(s)}` : ''}`.trim();
  };

  /** a time: a whole minute, or anywhere (nanoseconds included) */
  const time = (lo: bigint, span: bigint): bigint => {
    const t = lo + BigInt(Math.floor(r() * Number(span / S))) * S;
    return chance(0.6) ? t - (t % MIN) : t + BigInt(Math.floor(r() * 1e9));
  };
  const step = () => pick([MIN, MIN, 5n * MIN, 2n * MIN, 30n * S, 90n * S, 17n * S, 10n * MIN]);

  return { metric, log, time, step, pick, chance, r };
}

export type Case =
  | { kind: 'metric'; query: string; start: bigint; end: bigint; step: bigint; instant: boolean }
  | { kind: 'log'; query: string; from: bigint; to: bigint; limit: number; direction: Direction };

export function generateCases(n: number, seed: number): Case[] {
  const g = generator(seed);
  const out: Case[] = [];
  while (out.length < n) {
    if (g.chance(0.35)) {
      const query = g.log();
      try {
        parse(query);
      } catch {
        continue;
      }
      const from = g.time(DATA_FROM - 5n * MIN, 70n * MIN);
      const to = g.chance(0.2) ? END + MIN : from + g.time(0n, 40n * MIN) + S;
      out.push({
        kind: 'log',
        query,
        from,
        to,
        limit: g.pick([1, 3, 20, 100, 1000]),
        direction: g.pick(['forward', 'backward'] as const),
      });
    } else {
      const query = g.metric();
      try {
        if (parse(query).kind === 'log') continue;
      } catch {
        continue;
      }
      const instant = g.chance(0.2);
      const start = g.time(START, 30n * MIN);
      const end = instant ? start : start + g.time(5n * MIN, 30n * MIN);
      out.push({ kind: 'metric', query, start, end, step: g.step(), instant });
    }
  }
  return out;
}
