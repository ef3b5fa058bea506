// AST → canonical LogQL text, in the shape of Loki's Expr.String() (what /loki/api/v1/format_query returns without
// pretty printing): binary operations are fully parenthesised, strings are Go-quoted, groupings are `by (a,b)`.
// Durations and byte sizes are printed exactly (Loki prints bytes with humanize, which can round), so that
// parse(formatExpr(parse(q))) equals parse(q).

import type { Expr, Grouping, LabelFilterExpr, LogExpr, Matcher, MetricExpr, Stage, Unwrap } from './ast';
import { formatDuration } from './units';

/** Go strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if ((cp >= 0x80 && cp < 0xa0) || cp === 0xfeff || (cp >= 0xd800 && cp < 0xe000))
      out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '1e999' : '-1e999';
  return String(v);
}

function matcher(m: { name: string; op: Matcher['op']; value: string }): string {
  return `${m.name}${m.op}${goQuote(m.value)}`;
}

function selector(ms: Matcher[]): string {
  return `{${ms.map(matcher).join(', ')}}`;
}

export function formatLabelFilter(f: LabelFilterExpr): string {
  switch (f.kind) {
    case 'and':
      return `( ${formatLabelFilter(f.left)} , ${formatLabelFilter(f.right)} )`;
    case 'or':
      return `( ${formatLabelFilter(f.left)} or ${formatLabelFilter(f.right)} )`;
    case 'string':
      return matcher(f);
    case 'number':
      return `${f.name}${f.op}${num(f.value)}`;
    case 'duration':
      return `${f.name}${f.op}${formatDuration(BigInt(Math.round(f.seconds * 1e9)))}`;
    case 'bytes':
      return `${f.name}${f.op}${f.bytes}B`;
    case 'ip':
      return `${f.name}${f.op}ip(${goQuote(f.value)})`;
  }
}

function params(ps: { label: string; expression: string }[]): string {
  return ps.map((p) => `${p.label}=${goQuote(p.expression)}`).join(',');
}

export function formatStage(s: Stage): string {
  switch (s.kind) {
    case 'lineFilter':
      return `${s.filter.op} ${s.filter.values.map((v) => (v.kind === 'ip' ? `ip(${goQuote(v.value)})` : goQuote(v.value))).join(' or ')}`;
    case 'json':
      return s.params.length ? `| json ${params(s.params)}` : '| json';
    case 'logfmt': {
      let out = '| logfmt';
      if (s.strict) out += ' --strict';
      if (s.keepEmpty) out += ' --keep-empty';
      if (s.params.length) out += ' ' + params(s.params);
      return out;
    }
    case 'regexp':
      return `| regexp ${goQuote(s.pattern)}`;
    case 'pattern':
      return `| pattern ${goQuote(s.pattern)}`;
    case 'unpack':
      return '| unpack';
    case 'labelFilter':
      return `| ${formatLabelFilter(s.expr)}`;
    case 'lineFormat':
      return `| line_format ${goQuote(s.template)}`;
    case 'labelFormat':
      return `| label_format ${s.ops.map((o) => (o.kind === 'rename' ? `${o.dst}=${o.src}` : `${o.dst}=${goQuote(o.template)}`)).join(',')}`;
    case 'decolorize':
      return '| decolorize';
    case 'drop':
    case 'keep':
      return `| ${s.kind} ${s.labels.map((l) => (l.matcher ? matcher({ name: l.name, ...l.matcher }) : l.name)).join(',')}`;
  }
}

function logExpr(e: LogExpr): string {
  return [selector(e.matchers), ...e.pipeline.map(formatStage)].join(' ');
}

function unwrap(u: Unwrap): string {
  let out = u.conversion ? ` | unwrap ${u.conversion}(${u.label})` : ` | unwrap ${u.label}`;
  for (const f of u.postFilters) out += ` | ${formatLabelFilter(f.expr)}`;
  return out;
}

function grouping(g: Grouping): string {
  return ` ${g.without ? 'without' : 'by'} (${g.labels.join(',')})`;
}

function metric(e: MetricExpr): string {
  switch (e.kind) {
    case 'literal':
      return num(e.value);
    case 'vector':
      return `vector(${num(e.value)})`;
    case 'rangeAgg': {
      let inner = logExpr(e.log);
      if (e.unwrap) inner += unwrap(e.unwrap);
      inner += `[${formatDuration(e.range)}]`;
      if (e.offset !== 0n) inner += ` offset ${formatDuration(e.offset)}`;
      const p = e.param !== undefined ? `${num(e.param)},` : '';
      return `${e.op}(${p}${inner})${e.grouping ? grouping(e.grouping) : ''}`;
    }
    case 'vectorAgg': {
      const p = e.param !== undefined ? `${num(e.param)},` : '';
      return `${e.op}${e.grouping ? grouping(e.grouping) : ''}(${p}${metric(e.expr)})`;
    }
    case 'binary': {
      let op: string = e.op;
      if (e.bool) op += ' bool';
      if (e.matching) {
        op += ` ${e.matching.on ? 'on' : 'ignoring'} (${e.matching.labels.join(',')})`;
        if (e.matching.group) {
          op += ` group_${e.matching.group.side}`;
          // always parenthesised: a bare `group_left` would take a parenthesised right operand as its label list
          op += ` (${e.matching.group.include.join(',')})`;
        }
      }
      return `(${metric(e.left)} ${op} ${metric(e.right)})`;
    }
    case 'labelReplace':
      return `label_replace(${metric(e.expr)},${goQuote(e.dst)},${goQuote(e.replacement)},${goQuote(e.src)},${goQuote(e.regex)})`;
  }
}

/** Canonical single-line LogQL for an expression. */
export function formatExpr(e: Expr): string {
  return e.kind === 'log' ? logExpr(e) : metric(e);
}
