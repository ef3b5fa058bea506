// AST → LogQL text exactly as Loki 3.7.6 prints it: `exprString` is its Expr.String() (one line), `formatExpr` its
// syntax.Prettify (what /loki/api/v1/format_query answers and Grafana's "Format query" shows): an expression longer
// than 100 bytes is split over indented lines, node by node. Loki's own quirks are kept, since clients compare text:
// Go-style numbers (`1e+06`), durations (`1m0s` in filters and offsets, `5m` in ranges), byte sizes (`1.0kB`),
// numeric `=` printed `==`, regex label filters in backticks, `by ()` dropped, `!= "a" or "b"` as `!= "a" != "b"`,
// folded literals, a double space after `on (x)` without a group modifier.

import type {
  AnyExpr,
  Grouping,
  LabelFilterExpr,
  LineFilter,
  LogExpr,
  MatchOp,
  MetricExpr,
  RangeAggregation,
  Stage,
  Unwrap,
  VariantsExpr,
} from './ast';
import { parseQuery } from './check';
import { labelRegexTest } from '../eval/pipeline/labelRegex';

const MAX_CHARS_PER_LINE = 100;

/** format_query: the query as Loki's Prettify prints it. Throws LogQLError when Loki would reject it. */
export function formatQuery(query: string): string {
  return formatExpr(parseQuery(query));
}

/** Loki's syntax.Prettify. */
export function formatExpr(e: AnyExpr): string {
  return pretty(e, 0);
}

// ---------------------------------------------------------------- Go formatting

/** Go strconv.Quote. A lone surrogate U+DC80–U+DCFF stands for an invalid byte (printed \xNN). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (c >= 0xdc80 && c <= 0xdcff && ch.length === 1) out += '\\x' + (c - 0xdc00).toString(16).padStart(2, '0');
    else if (isGoPrint(ch)) out += ch;
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\v') out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c < 0x10000) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += '\\U' + c.toString(16).padStart(8, '0');
  }
  return out + '"';
}

const PRINT = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space */
function isGoPrint(ch: string): boolean {
  return ch === ' ' || PRINT.test(ch);
}

/** strconv.FormatFloat(v, 'f', -1, 64): the shortest digits, never an exponent */
export function goFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const { neg, digits, exp } = shortest(v);
  if (digits === '0') return neg ? '-0' : '0';
  // value = 0.digits × 10^exp
  let out: string;
  if (exp <= 0) out = '0.' + '0'.repeat(-exp) + digits;
  else if (exp >= digits.length) out = digits + '0'.repeat(exp - digits.length);
  else out = digits.slice(0, exp) + '.' + digits.slice(exp);
  return (neg ? '-' : '') + out;
}

/** fmt.Sprint(float64) (%v: strconv 'g' with the shortest digits, an exponent below 1e-4 or from 1e+06 on) */
export function goFloatV(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const { neg, digits, exp } = shortest(v);
  if (digits === '0') return neg ? '-0' : '0';
  const e = exp - 1;
  if (e < -4 || e >= 6) {
    const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const es = Math.abs(e).toString().padStart(2, '0');
    return `${neg ? '-' : ''}${mant}e${e < 0 ? '-' : '+'}${es}`;
  }
  return goFloatF(v);
}

/** the shortest round-trip decimal digits of |v| and the exponent so that |v| = 0.digits × 10^exp */
function shortest(v: number): { neg: boolean; digits: string; exp: number } {
  const neg = v < 0 || Object.is(v, -0);
  if (v === 0) return { neg, digits: '0', exp: 1 };
  const [m, e] = Math.abs(v).toExponential().split('e') as [string, string];
  const digits = m.replace('.', '').replace(/0+$/, '') || '0';
  return { neg, digits, exp: Number(e) + 1 };
}

const NS = { us: 1000n, ms: 1_000_000n, s: 1_000_000_000n };

/** Go time.Duration.String(): `1h0m0s`, `1m30s`, `1.5s`, `250ms`, `1.5µs`, `0s` */
export function goDuration(d: bigint): string {
  if (d === 0n) return '0s';
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  const frac = (v: bigint, prec: number): [string, bigint] => {
    let f = '';
    let print = false;
    for (let i = 0; i < prec; i++) {
      const digit = v % 10n;
      print = print || digit !== 0n;
      if (print) f = digit.toString() + f;
      v /= 10n;
    }
    return [print ? '.' + f : '', v];
  };
  if (u < NS.s) {
    let unit: string;
    let prec: number;
    if (u < NS.us) {
      unit = 'ns';
      prec = 0;
    } else if (u < NS.ms) {
      unit = 'µs';
      prec = 3;
    } else {
      unit = 'ms';
      prec = 6;
    }
    const [f, rest] = frac(u, prec);
    out = `${rest}${f}${unit}`;
  } else {
    const [f, secs] = frac(u, 9);
    u = secs;
    out = `${u % 60n}${f}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m` + out;
      u /= 60n;
      if (u > 0n) out = `${u}h` + out;
    }
  }
  return (neg ? '-' : '') + out;
}

/** Prometheus model.Duration.String(): `5m`, `1h30m`, `1d`, `2w`, `1y` (milliseconds at most; "" when negative) */
export function promDuration(d: bigint): string {
  let ms = d / NS.ms;
  if (ms === 0n) return '0s';
  let out = '';
  const part = (unit: string, mult: bigint, exact: boolean) => {
    if (exact && ms % mult !== 0n) return;
    const v = ms / mult;
    if (v > 0n) {
      out += `${v}${unit}`;
      ms -= v * mult;
    }
  };
  const DAY = 86_400_000n;
  part('y', 365n * DAY, true);
  part('w', 7n * DAY, true);
  part('d', DAY, false);
  part('h', 3_600_000n, false);
  part('m', 60_000n, false);
  part('s', 1000n, false);
  part('ms', 1n, false);
  return out;
}

/** go-humanize Bytes without its space: `1.0kB`, `2.6kB`, `250kB`, `9B` */
export function humanBytes(n: number): string {
  if (n < 10) return `${n}B`;
  const sizes = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const val = Math.floor((n / 1000 ** e) * 10 + 0.5) / 10;
  return `${val < 10 ? val.toFixed(1) : val.toFixed(0)}${sizes[e]}`;
}

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');
const indent = (level: number): string => '  '.repeat(level);

// ---------------------------------------------------------------- String()

function matcherString(m: { name: string; op: MatchOp; value: string }): string {
  return `${/^[A-Za-z_][A-Za-z0-9_]*$/.test(m.name) ? m.name : goQuote(m.name)}${m.op}${goQuote(m.value)}`;
}

function selectorString(ms: LogExpr['matchers']): string {
  return `{${ms.map(matcherString).join(', ')}}`;
}

/** a run of consecutive line filters (one stage in Loki): negative `or` alternatives become separate filters */
function lineFilterParts(f: LineFilter): { op: string; values: string[] }[] {
  const value = (v: LineFilter['values'][number]) => (v.kind === 'ip' ? `ip(${goQuote(v.value)})` : goQuote(v.value));
  const positive = f.op === '|=' || f.op === '|~' || f.op === '|>';
  if (positive) return [{ op: f.op, values: f.values.map(value) }];
  return f.values.map((v) => ({ op: f.op, values: [value(v)] }));
}

function lineFiltersString(fs: LineFilter[]): string {
  return fs
    .flatMap(lineFilterParts)
    .map((p) => `${p.op} ${p.values.join(' or ')}`)
    .join(' ');
}

const filterOp = (op: string): string => (op === '=' ? '==' : op);

export function labelFilterString(f: LabelFilterExpr): string {
  switch (f.kind) {
    case 'and':
      return `( ${labelFilterString(f.left)} , ${labelFilterString(f.right)} )`;
    case 'or':
      return `( ${labelFilterString(f.left)} or ${labelFilterString(f.right)} )`;
    case 'string':
      // a regex Loki keeps as a regex (not simplified to literal tests) prints in backticks
      if (f.op === '=~' && labelRegexTest(f.value) === undefined)
        return `${f.name}=~${f.value.includes('`') ? goQuote(f.value) : '`' + f.value + '`'}`;
      return matcherString(f);
    case 'number':
      return `${f.name}${filterOp(f.op)}${goFloatF(f.value)}`;
    case 'duration':
      return `${f.name}${filterOp(f.op)}${goDuration(f.ns ?? BigInt(Math.round(f.seconds * 1e9)))}`;
    case 'bytes':
      return `${f.name}${filterOp(f.op)}${humanBytes(f.bytes)}`;
    case 'ip':
      return `${f.name}${f.op}ip(${goQuote(f.value)})`;
  }
}

function stageString(s: Stage): string {
  switch (s.kind) {
    case 'lineFilter':
      return lineFiltersString([s.filter]);
    case 'json':
      return s.params.length ? `| json ${params(s.params)}` : '| json';
    case 'logfmt':
      if (s.params.length === 0) return `| logfmt${s.strict ? ' --strict' : ''}${s.keepEmpty ? ' --keep-empty' : ''}`;
      return `| logfmt ${s.strict ? '--strict ' : ''}${s.keepEmpty ? '--keep-empty ' : ''}${params(s.params)}`;
    case 'regexp':
      return `| regexp ${goQuote(s.pattern)}`;
    case 'pattern':
      return `| pattern ${goQuote(s.pattern)}`;
    case 'unpack':
      return '| unpack';
    case 'labelFilter':
      return `| ${labelFilterString(s.expr)}`;
    case 'lineFormat':
      return `| line_format ${goQuote(s.template)}`;
    case 'labelFormat':
      return `| label_format ${s.ops.map((o) => (o.kind === 'rename' ? `${o.dst}=${o.src}` : `${o.dst}=${goQuote(o.template)}`)).join(',')}`;
    case 'decolorize':
      return '| decolorize';
    case 'drop':
    case 'keep':
      return `| ${s.kind} ${s.labels.map((l) => (l.matcher ? matcherString({ name: l.name, ...l.matcher }) : l.name)).join(',')}`;
  }
}

function params(ps: { label: string; expression: string }[]): string {
  return ps.map((p) => `${p.label}=${goQuote(p.expression)}`).join(',');
}

/** Loki's pipeline stages: consecutive line filters form one stage */
function stageGroups(stages: Stage[]): (Stage | LineFilter[])[] {
  const out: (Stage | LineFilter[])[] = [];
  for (const s of stages) {
    const last = out[out.length - 1];
    if (s.kind === 'lineFilter' && Array.isArray(last)) last.push(s.filter);
    else out.push(s.kind === 'lineFilter' ? [s.filter] : s);
  }
  return out;
}

function groupString(g: Stage | LineFilter[]): string {
  return Array.isArray(g) ? lineFiltersString(g) : stageString(g);
}

function logString(e: LogExpr): string {
  const sel = selectorString(e.matchers);
  return e.pipeline.length ? `${sel} ${stageGroups(e.pipeline).map(groupString).join(' ')}` : sel;
}

function unwrapString(u: Unwrap): string {
  let out = u.conversion ? ` | unwrap ${u.conversion}(${u.label})` : ` | unwrap ${u.label}`;
  for (const f of u.postFilters) out += ` | ${labelFilterString(f.expr)}`;
  return out;
}

type LogRange = { log: LogExpr; unwrap?: Unwrap; range: bigint; offset: bigint };

function logRangeString(r: LogRange): string {
  let out = logString(r.log);
  if (r.unwrap) out += unwrapString(r.unwrap);
  out += `[${promDuration(r.range)}]`;
  if (r.offset !== 0n) out += ` offset ${goDuration(r.offset)}`;
  return out;
}

function groupingString(g: Grouping): string {
  return ` ${g.without ? 'without' : 'by'} (${g.labels.join(',')})`;
}

const singleton = (g: Grouping | undefined): boolean => !g || (!g.without && g.labels.length === 0);

function binaryOpString(e: Extract<MetricExpr, { kind: 'binary' }>, pretty: boolean): string {
  let op: string = e.op;
  if (e.bool) op += ' bool';
  const m = e.matching;
  if (m) {
    const sep = pretty ? ', ' : ',';
    let group = m.group ? (m.group.side === 'left' ? 'group_left' : 'group_right') : '';
    if (m.group && m.group.include.length > 0) group = `${group} (${m.group.include.join(sep)})`;
    if (pretty ? m.labels.length > 0 : m.on || m.labels.length > 0)
      op = `${op} ${m.on ? 'on' : 'ignoring'} (${m.labels.join(sep)}) ${group}`;
  }
  return op;
}

export function exprString(e: AnyExpr): string {
  switch (e.kind) {
    case 'log':
      return logString(e);
    case 'variants':
      return `variants(${e.variants.map(exprString).join(', ')}) of (${logRangeString(e)})`;
    case 'literal':
      return goFloatV(e.value);
    case 'vector':
      return `vector(${goFloatFixed6(e.value)})`;
    case 'rangeAgg': {
      const p = e.param !== undefined ? `${goFloatF(e.param)},` : '';
      return `${e.op}(${p}${logRangeString(e)})${e.grouping ? groupingString(e.grouping) : ''}`;
    }
    case 'vectorAgg': {
      const args = [...(e.param !== undefined ? [String(e.param)] : []), exprString(e.expr)];
      return `${e.op}${singleton(e.grouping) ? '' : groupingString(e.grouping!)}(${args.join(',')})`;
    }
    case 'binary':
      return `(${exprString(e.left)} ${binaryOpString(e, false)} ${exprString(e.right)})`;
    case 'labelReplace':
      return `label_replace(${exprString(e.expr)},${[e.dst, e.replacement, e.src, e.regex].map(goQuote).join(',')})`;
  }
}

/** fmt %f */
function goFloatFixed6(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toFixed(6);
}

// ---------------------------------------------------------------- Pretty()

const needSplit = (s: string): boolean => byteLength(s) > MAX_CHARS_PER_LINE;

function prettyLog(e: LogExpr, level: number): string {
  const s = logString(e);
  if (!needSplit(s) || e.pipeline.length === 0) return indent(level) + s;
  const stages = stageGroups(e.pipeline).map((g) => prettyStage(g, level + 1));
  return `${indent(level)}${selectorString(e.matchers)}\n${stages.join('\n')}`;
}

function prettyStage(g: Stage | LineFilter[], level: number): string {
  if (!Array.isArray(g)) return g.kind === 'decolorize' ? stageString(g) : indent(level) + stageString(g);
  // Loki's chain of filters: the longest prefix that fits stays on one line, then one filter a line, each printed
  // without its `or` alternatives (as Loki does)
  const parts = g.flatMap(lineFilterParts).map((p) => `${p.op} ${p.values.join(' or ')}`);
  const firsts = g.flatMap(lineFilterParts).map((p) => `${p.op} ${p.values[0]}`);
  const render = (k: number): string => {
    const s = parts.slice(0, k).join(' ');
    if (!needSplit(s)) return indent(level) + s;
    return (k > 1 ? render(k - 1) + '\n' : '') + indent(level) + firsts[k - 1];
  };
  return render(parts.length);
}

function prettyLogRange(r: LogRange, level: number): string {
  let s = prettyLog(r.log, level);
  if (r.unwrap) {
    const u = r.unwrap;
    s += `\n${indent(level + 1)}| unwrap ${u.conversion ? `${u.conversion}(${u.label})` : u.label}`;
    for (const f of u.postFilters) s += `\n${indent(level + 1)}| ${labelFilterString(f.expr)}`;
  }
  s = `${s} [${promDuration(r.range)}]`;
  if (r.offset !== 0n) s += ` offset ${promDuration(r.offset)}`;
  return s;
}

function prettyGrouping(g: Grouping): string {
  let s = '';
  if (g.without) s += ' without';
  else if (g.labels.length > 0) s += ' by';
  if (g.labels.length > 0) s += ` (${g.labels.join(', ')})`;
  return s;
}

function pretty(e: AnyExpr, level: number): string {
  const s = exprString(e);
  switch (e.kind) {
    case 'log':
      return prettyLog(e, level);
    case 'literal':
    case 'vector':
      return indent(level) + s;
    case 'variants':
      return prettyVariants(e, level);
    default:
      if (!needSplit(s)) return indent(level) + s;
  }
  switch (e.kind) {
    case 'rangeAgg':
      return prettyRange(e, level);
    case 'vectorAgg': {
      const args = [...(e.param !== undefined ? [indent(level + 1) + String(e.param)] : []), pretty(e.expr, level + 1)];
      const g = e.grouping ? prettyGrouping(e.grouping) : '';
      return `${indent(level)}${e.op}${g}(\n${args.join(',\n')}\n${indent(level)})`;
    }
    case 'binary':
      return `${pretty(e.left, level + 1)}\n${indent(level)}${binaryOpString(e, true)}\n${pretty(e.right, level + 1)}`;
    case 'labelReplace': {
      const args = [
        pretty(e.expr, level + 1),
        ...[e.dst, e.replacement, e.src, e.regex].map((x) => indent(level + 1) + goQuote(x)),
      ];
      return `${indent(level)}label_replace(\n${args.join(',\n')}\n${indent(level)})`;
    }
  }
  return indent(level) + s;
}

function prettyRange(e: RangeAggregation, level: number): string {
  let s = `${indent(level)}${e.op}(\n`;
  if (e.param !== undefined) s += `${indent(level + 1)}${goFloatV(e.param)},\n`;
  s += prettyLogRange(e, level + 1);
  s += `\n${indent(level)})`;
  if (e.grouping) s += prettyGrouping(e.grouping);
  return s;
}

function prettyVariants(e: VariantsExpr, level: number): string {
  let s = `${indent(level)}variants(\n`;
  s += e.variants.map((v) => pretty(v, level + 1)).join(',\n') + '\n';
  s += `${indent(level)}) of (\n`;
  s += prettyLogRange(e, level + 1);
  s += `${indent(level)}\n)`;
  return s;
}
