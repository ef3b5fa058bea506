// Generated LogQL, valid and hostile: random pipelines, deep nesting, huge and odd numbers, unicode, bad and
// exponential regexes, templates that try to grow without bound, absurd durations and ranges, and random
// corruptions of all of it.
import type { Rng } from './random';

const LABELS = ['app', 'host', 'env', 'level', 'status', 'x', '__name__', '__error__', 'é', '1bad', ''];
const VALUES = ['nginx', 'api', 'prod', 'error', '500', '', 'a"b', 'x\\', '☃', 'İ', '\u0000'];

const NUMBERS = [
  '0',
  '-0',
  '1',
  '5',
  '500',
  '1e308',
  '1e309',
  '-1e309',
  '4.9e-324',
  'NaN',
  'Inf',
  '-Inf',
  '0x1F',
  '1_000',
  '99999999999999999999999',
  '.5',
  '5.',
  '1e',
  '--1',
  '1.2.3',
];
const DURATIONS = [
  '1s',
  '0s',
  '1ms',
  '1ns',
  '5m',
  '1h',
  '24h',
  '1d',
  '1w',
  '1y',
  '9999999999h',
  '1.5h',
  '1h30m',
  '-1s',
  '1',
  's',
  '1µs',
  '2562047h47m16s854ms',
];
const BYTES = ['1B', '1KB', '1KiB', '1MB', '1EB', '20EB', '1.5GiB', '-1B', 'B', '99999999999999999999PB'];
const REGEXES = [
  '.*',
  '.+',
  'err.*',
  '(?i)ERROR',
  '(a+)+$',
  '(a|a)*b',
  '(x+x+)+y',
  '(?P<x>(a+)+$)',
  '.{0,1000}.{0,1000}.{0,1000}',
  'a{1001}',
  'a{1000}{1000}',
  '(',
  ')',
  '[',
  '[z-a]',
  '*',
  '\\C',
  '(?i)a(?-i)b',
  '\\p{Greek}+',
  '\\pL',
  '\\8',
  '(?<n>a)',
  '(?P<>a)',
  '(?P<a>x)(?P<a>y)',
  '\\Q.*\\E',
  '^$',
  '\u0000',
  '((((((((((a))))))))))*',
  'x**',
  '(?s).',
  '[[:alpha:]]',
];
const TEMPLATES = [
  '{{ repeat 100000000 "x" }}',
  '{{ repeat 1000000 .app }}',
  '{{ printf "%999999999d" 1 }}',
  '{{ printf "%v" . }}',
  '{{ .app }}-{{ .nope }}',
  '{{',
  '{{ if }}',
  '{{ nofunc . }}',
  '{{ range $i := until 100000000 }}x{{ end }}',
  '{{ define "a" }}{{ template "a" }}{{ end }}{{ template "a" }}',
  '{{ regexReplaceAll "(a+)+$" .app "x" }}',
  '{{ __line__ }}{{ __line__ }}{{ __line__ }}',
  '{{ toJson . }}',
  '{{ replace "" "xxxxxxxx" __line__ }}',
  '{{ trunc -1 __line__ }}',
  '{{ substr 0 99999999999 __line__ }}',
  '{{ div 1 0 }}',
  '{{ .app | upper | lower | title | trimSpace }}',
];

const q = (r: Rng, s: string) => (r.chance(0.2) ? '`' + s + '`' : JSON.stringify(s));

function matcher(r: Rng): string {
  const op = r.pick(['=', '!=', '=~', '!~', '==', '<', '']);
  const v = op.includes('~') ? r.pick(REGEXES) : r.chance(0.8) ? r.pick(VALUES) : r.text();
  return `${r.chance(0.9) ? r.pick(LABELS) : r.text(4)}${op}${q(r, v)}`;
}

export function selector(r: Rng): string {
  const n = r.chance(0.1) ? r.int(0, 50) : r.int(1, 3);
  const ms = Array.from({ length: n }, () => matcher(r));
  if (r.chance(0.7)) ms[0] = `app=${q(r, r.pick(['nginx', 'api']))}`;
  return `{${ms.join(r.chance(0.95) ? ', ' : ' ')}}`;
}

function labelFilter(r: Rng): string {
  const l = r.pick(LABELS);
  return r.oneOf([
    () => `${l} ${r.pick(['>', '>=', '<', '<=', '==', '!='])} ${r.pick(NUMBERS)}`,
    () => `${l} ${r.pick(['>', '>=', '<', '<='])} ${r.pick(DURATIONS)}`,
    () => `${l} ${r.pick(['>', '<=', '=='])} ${r.pick(BYTES)}`,
    () => `${l} ${r.pick(['=', '!=', '=~', '!~'])} ${q(r, r.chance(0.5) ? r.pick(REGEXES) : r.pick(VALUES))}`,
    () => `${labelFilter(r)} ${r.pick(['and', 'or', ',', ''])} ${labelFilter(r)}`,
    () => `(${labelFilter(r)})`,
  ]);
}

function stage(r: Rng): string {
  return r.oneOf([
    () => `${r.pick(['|=', '!=', '|~', '!~'])} ${q(r, r.chance(0.5) ? r.pick(REGEXES) : r.text())}`,
    () => `|= ip(${q(r, r.pick(['10.0.0.0/8', '::1', 'x', '1.2.3.4-1.2.3.5', '999.1.1.1']))})`,
    () =>
      r.pick([
        '| json',
        '| logfmt',
        '| logfmt --strict --keep-empty',
        '| unpack',
        '| decolorize',
        '| json a="b.c", d="e[0]"',
      ]),
    () => `| regexp ${q(r, r.pick(['(?P<a>\\w+)', '(?P<x>(a+)+$)', '(', 'no groups', '(?P<1a>x)']))}`,
    () => `| pattern ${q(r, r.pick(['<ip> - <_> <status>', '<_>', '<a><b>', '', '<>', '<x> <x>']))}`,
    () => `| ${labelFilter(r)}`,
    () => `| line_format ${q(r, r.pick(TEMPLATES))}`,
    () => `| label_format ${r.pick(LABELS) || 'x'}=${q(r, r.pick(TEMPLATES))}`,
    () => `| label_format ${r.pick(LABELS) || 'x'}=${r.pick(LABELS) || 'y'}`,
    () => `| drop ${r.pick(LABELS) || 'a'}, ${r.pick(LABELS) || 'b'}="${r.text(3)}"`,
    () => `| keep ${r.pick(LABELS) || 'a'}`,
    () => `| distinct ${r.pick(LABELS) || 'a'}`,
  ]);
}

export function logExpr(r: Rng): string {
  let s = selector(r);
  const n = r.chance(0.05) ? r.int(20, 200) : r.int(0, 5);
  for (let i = 0; i < n; i++) s += ' ' + stage(r);
  return s;
}

function range(r: Rng): string {
  const u = r.chance(0.3) ? ` | unwrap ${r.pick(['', 'bytes(', 'duration('])}${r.pick(LABELS) || 'v'}${''}` : '';
  const fixed = u.includes('(') ? u + ')' : u;
  const off = r.chance(0.15) ? ` offset ${r.pick(DURATIONS)}` : '';
  return `${logExpr(r)}${fixed} [${r.pick(DURATIONS)}]${off}`;
}

function rangeAgg(r: Rng): string {
  const f = r.pick([
    'count_over_time',
    'rate',
    'bytes_over_time',
    'bytes_rate',
    'absent_over_time',
    'sum_over_time',
    'avg_over_time',
    'max_over_time',
    'min_over_time',
    'stddev_over_time',
    'first_over_time',
    'last_over_time',
    'rate_counter',
    'quantile_over_time',
  ]);
  const arg = f === 'quantile_over_time' ? `${r.pick(NUMBERS)}, ` : '';
  return `${f}(${arg}${range(r)})${r.chance(0.2) ? ` by (${r.pick(LABELS) || 'a'})` : ''}`;
}

export function metricExpr(r: Rng, depth = 0): string {
  if (depth > 3 || r.chance(0.4)) return rangeAgg(r);
  return r.oneOf([
    () =>
      `${r.pick(['sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar'])} by (${r.pick(LABELS) || 'a'}) (${metricExpr(r, depth + 1)})`,
    () =>
      `${r.pick(['topk', 'bottomk'])}(${r.pick(['1', '0', '-1', '1e9', '99999999999', 'NaN'])}, ${metricExpr(r, depth + 1)})`,
    () =>
      `${metricExpr(r, depth + 1)} ${r.pick(['+', '-', '*', '/', '%', '^', '==', '> bool', 'and', 'or', 'unless'])} ${r.chance(0.5) ? r.pick(NUMBERS) : metricExpr(r, depth + 1)}`,
    () => `label_replace(${metricExpr(r, depth + 1)}, "dst", "$1", "app", ${q(r, r.pick(REGEXES))})`,
    () => `vector(${r.pick(NUMBERS)})`,
    () => `sort_desc(${metricExpr(r, depth + 1)})`,
    () => `absent(${metricExpr(r, depth + 1)})`,
  ]);
}

/** deep nesting, long inputs and corrupted expressions */
function extreme(r: Rng): string {
  return r.oneOf([
    () => '('.repeat(r.int(100, 5000)) + 'vector(1)' + ')'.repeat(r.int(100, 5000)),
    () => 'sum('.repeat(r.int(50, 3000)) + rangeAgg(r) + ')'.repeat(r.int(50, 3000)),
    () => `${selector(r)} ${'|= "a" '.repeat(r.int(100, 3000))}`,
    () => `{app="nginx"} |~ "${'(a|'.repeat(r.int(10, 500))}b${')'.repeat(r.int(10, 500))}"`,
    () => `{app=~"${'.{0,1000}'.repeat(r.int(2, 12))}"}`,
    () => `${metricExpr(r)} ${'+ 1 '.repeat(r.int(100, 5000))}`,
    () => r.text(r.int(0, 2000)),
  ]);
}

/** one query: mostly plausible, some extreme, some randomly corrupted */
export function query(r: Rng): string {
  let s = r.chance(0.08) ? extreme(r) : r.chance(0.45) ? logExpr(r) : metricExpr(r);
  if (r.chance(0.2)) {
    const edits = r.int(1, 4);
    for (let i = 0; i < edits && s.length > 0; i++) {
      const at = r.int(0, s.length);
      s = r.chance(0.5) ? s.slice(0, at) + r.text(3) + s.slice(at) : s.slice(0, at) + s.slice(at + r.int(1, 5));
    }
  }
  return s;
}
