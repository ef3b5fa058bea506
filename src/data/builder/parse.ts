// Code → Builder: LogQL text into the builder's visual query, parsed with the server's own recursive-descent parser
// (server/logql/parse.ts, the typed AST every query is executed from), so the builder accepts exactly what the server
// runs. A construct the builder cannot show is refused with its name; and every conversion is verified by rendering
// it back and comparing syntax trees, so switching to the builder never changes a query.

import type {
  LabelFilterExpr,
  LabelSelection,
  LogExpr,
  MetricExpr,
  Stage,
  Unwrap,
} from '../../../server/logql/ast';
import { parseExpr } from '../../../server/logql/parse';
import { formatDuration } from '../../../server/logql/units';
import type { LogQLBinaryQuery, LogQLVisualQuery, QueryBuilderOperation } from './model';
import { COMPARISON_OPS, quote, SCALAR_OP_IDS } from './operations';
import { renderQuery } from './render';

export type BuildResult = { query: LogQLVisualQuery; error?: undefined } | { query?: undefined; error: string };

/** A construct the builder has no operation for; its message names the construct. */
class Unrepresentable extends Error {}

const cannot = (construct: string): never => {
  throw new Unrepresentable(`The builder cannot show ${construct}: keep editing this query in Code mode.`);
};

// ---------------------------------------------------------------- Grafana variables

const RANGE_VARIABLE = /\[\s*(\$\{[^}\s]+\}|\$[A-Za-z_]\w*|\[\[[A-Za-z_]\w*\]\])\s*\]/y;

/** Rewrites each Grafana variable used as a range (`[$__auto]`, `[${window}]`), outside string literals. */
function replaceRangeVariables(text: string, replace: (variable: string, whole: string) => string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) {
        j += c === '"' && text[j] === '\\' ? 2 : 1;
      }
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    RANGE_VARIABLE.lastIndex = i;
    const m = c === '[' ? RANGE_VARIABLE.exec(text) : null;
    if (m) {
      out += replace(m[1]!, m[0]);
      i += m[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/**
 * Replaces range variables by distinct placeholder durations the parser accepts; `vars` maps a placeholder's
 * nanoseconds back to the variable.
 */
export function substituteRangeVariables(text: string, vars: Map<bigint, string>): string {
  return replaceRangeVariables(text, (variable) => {
    let ns = [...vars].find(([, v]) => v === variable)?.[0];
    if (ns === undefined) {
      // an unusual whole number of seconds, unlikely to be a range anyone writes
      ns = BigInt(987_654_321 + vars.size) * 1_000_000_000n;
      vars.set(ns, variable);
    }
    return `[${ns / 1_000_000_000n}s]`;
  });
}

/**
 * The text to validate: range variables become durations of the same length (`[$__auto]` → `[999999s]`), so the
 * parser's error positions still point into the text the user sees.
 */
export function maskRangeVariables(text: string): string {
  return replaceRangeVariables(text, (_variable, whole) => `[${'9'.repeat(Math.max(1, whole.length - 3))}s]`);
}

// ---------------------------------------------------------------- durations

const PROM_UNITS: Array<[string, bigint]> = [
  ['y', 365n * 86_400_000_000_000n],
  ['w', 7n * 86_400_000_000_000n],
  ['d', 86_400_000_000_000n],
  ['h', 3_600_000_000_000n],
  ['m', 60_000_000_000n],
  ['s', 1_000_000_000n],
  ['ms', 1_000_000n],
];

/** A range as Prometheus duration text (`5m`, `1h30m`); whole milliseconds only, as Prometheus' syntax allows. */
export function promDurationText(ns: bigint): string {
  if (ns <= 0n || ns % 1_000_000n !== 0n) {
    return cannot(`the duration ${formatDuration(ns)}`);
  }
  let out = '';
  let rest = ns;
  for (const [unit, size] of PROM_UNITS) {
    if (rest >= size) {
      out += `${rest / size}${unit}`;
      rest %= size;
    }
  }
  return out;
}

// ---------------------------------------------------------------- AST → operations

const op = (id: string, ...params: QueryBuilderOperation['params']): QueryBuilderOperation => ({ id, params });

const LINE_FILTER_IDS: Record<string, string> = {
  '|=': '__line_contains',
  '!=': '__line_contains_not',
  '|~': '__line_matches_regex',
  '!~': '__line_matches_regex_not',
  '|>': '__line_matches_pattern',
  '!>': '__line_matches_pattern_not',
};

function numberText(v: number): string {
  if (!Number.isFinite(v)) {
    return cannot(`the number ${v}`);
  }
  return String(v);
}

function extractionParam(p: { label: string; expression: string }): string {
  return p.label === p.expression ? p.label : `${p.label}=${quote(p.expression)}`;
}

function selection(s: LabelSelection): string {
  return s.matcher ? `${s.name}${s.matcher.op}${quote(s.matcher.value, s.matcher.op.includes('~'))}` : s.name;
}

function labelFilterOp(e: LabelFilterExpr, source: string): QueryBuilderOperation {
  switch (e.kind) {
    case 'string':
      if (e.name === '__error__' && e.op === '=' && e.value === '') {
        return op('__label_filter_no_errors');
      }
      return op('__label_filter', e.name, e.op, e.value);
    case 'number':
      return op('__label_filter_compare', e.name, e.op, numberText(e.value));
    case 'duration':
      return op(
        '__label_filter_compare',
        e.name,
        e.op,
        e.ns !== undefined ? formatDuration(e.ns) : `${numberText(e.seconds)}s`,
      );
    case 'bytes':
      return op('__label_filter_compare', e.name, e.op, `${numberText(e.bytes)}B`);
    case 'ip':
      return op('__label_filter_ip', e.name, e.op, e.value);
    default:
      // `and` / `or`: kept as the text the user wrote
      return op('__label_filter_expression', source.slice(e.span.from, e.span.to));
  }
}

function stageOps(s: Stage, source: string): QueryBuilderOperation {
  switch (s.kind) {
    case 'lineFilter': {
      const f = s.filter;
      if (f.values.some((v) => v.kind === 'ip')) {
        if (f.values.length !== 1 || (f.op !== '|=' && f.op !== '!=')) {
          return cannot('an ip() line filter combined with `or`');
        }
        return op('__line_filter_ip', f.op, f.values[0]!.value);
      }
      return op(LINE_FILTER_IDS[f.op]!, ...f.values.map((v) => v.value));
    }
    case 'json':
      return op('json', ...s.params.map(extractionParam));
    case 'logfmt':
      return op('logfmt', s.strict, s.keepEmpty, ...s.params.map(extractionParam));
    case 'regexp':
      return op('regexp', s.pattern);
    case 'pattern':
      return op('pattern', s.pattern);
    case 'unpack':
      return op('unpack');
    case 'labelFilter':
      return labelFilterOp(s.expr, source);
    case 'lineFormat':
      return op('line_format', s.template);
    case 'labelFormat':
      return op(
        'label_format',
        ...s.ops.map((o) => (o.kind === 'rename' ? `${o.dst}=${o.src}` : `${o.dst}=${quote(o.template)}`)),
      );
    case 'decolorize':
      return op('decolorize');
    case 'drop':
      return op('drop', ...s.labels.map(selection));
    case 'keep':
      return op('keep', ...s.labels.map(selection));
  }
}

function logQuery(e: LogExpr, source: string): LogQLVisualQuery {
  return {
    labels: e.matchers.map((m) => ({ label: m.name, op: m.op, value: m.value })),
    operations: e.pipeline.map((s) => stageOps(s, source)),
  };
}

function unwrapOps(u: Unwrap, source: string): QueryBuilderOperation[] {
  return [op('unwrap', u.label, u.conversion ?? ''), ...u.postFilters.map((f) => labelFilterOp(f.expr, source))];
}

class Converter {
  constructor(
    private readonly source: string,
    private readonly vars: Map<bigint, string>,
  ) {}

  private range(ns: bigint): string {
    return this.vars.get(ns) ?? promDurationText(ns);
  }

  /** A query some operation applies to: it must be one chain of operations, not queries joined by an operator. */
  private single(e: MetricExpr, outer: string): LogQLVisualQuery {
    const q = this.metric(e);
    if (q.binaryQueries?.length) {
      return cannot(`${outer} applied to a binary operation between two queries`);
    }
    return q;
  }

  metric(e: MetricExpr): LogQLVisualQuery {
    switch (e.kind) {
      case 'rangeAgg': {
        const q = logQuery(e.log, this.source);
        if (e.unwrap) {
          q.operations.push(...unwrapOps(e.unwrap, this.source));
        }
        const range = this.range(e.range);
        const offset = e.offset === 0n ? '' : e.offset > 0n ? promDurationText(e.offset) : `-${promDurationText(-e.offset)}`;
        const id = e.grouping ? `__${e.op}_${e.grouping.without ? 'without' : 'by'}` : e.op;
        const param = e.param !== undefined ? [numberText(e.param)] : [];
        q.operations.push(op(id, ...param, range, offset, ...(e.grouping?.labels ?? [])));
        return q;
      }
      case 'vectorAgg': {
        const q = this.single(e.expr, `\`${e.op}\``);
        const k = e.param !== undefined ? [e.param] : [];
        if (!e.grouping) {
          q.operations.push(op(e.op, ...k));
        } else if (e.op === 'sort' || e.op === 'sort_desc' || e.op === 'approx_topk') {
          return cannot(`\`${e.op}\` with by/without`);
        } else {
          q.operations.push(op(`__${e.op}_${e.grouping.without ? 'without' : 'by'}`, ...k, ...e.grouping.labels));
        }
        return q;
      }
      case 'labelReplace': {
        const q = this.single(e.expr, '`label_replace`');
        q.operations.push(op('label_replace', e.dst, e.replacement, e.src, e.regex));
        return q;
      }
      case 'binary': {
        if (e.left.kind === 'literal') {
          return cannot(`a number on the left of \`${e.op}\``);
        }
        if (e.right.kind === 'literal') {
          const id = SCALAR_OP_IDS[e.op];
          if (!id || e.matching) {
            return cannot(`\`${e.op}\` with a number`);
          }
          const q = this.single(e.left, `\`${e.op} ${e.right.value}\``);
          q.operations.push(op(id, numberText(e.right.value), ...(COMPARISON_OPS.has(e.op) ? [e.bool] : [])));
          return q;
        }
        const left = this.metric(e.left);
        const b: LogQLBinaryQuery = { operator: e.op, query: this.metric(e.right) };
        if (e.bool) {
          b.bool = true;
        }
        if (e.matching) {
          b.vectorMatchesType = e.matching.on ? 'on' : 'ignoring';
          b.vectorMatches = e.matching.labels.join(', ');
          if (e.matching.group) {
            b.groupSide = e.matching.group.side;
            b.groupLabels = e.matching.group.include.join(', ');
          }
        }
        return { ...left, binaryQueries: [...(left.binaryQueries ?? []), b] };
      }
      case 'literal':
        return cannot('a number on its own');
      case 'vector':
        return cannot('`vector(…)`');
    }
  }
}

// ---------------------------------------------------------------- verification

/** Syntax trees compared without source positions (bigint-safe, unlike JSON). */
export function sameTree(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  const keys = (o: object) => Object.keys(o).filter((k) => k !== 'span' && (o as any)[k] !== undefined);
  const ka = keys(a);
  const kb = keys(b);
  return ka.length === kb.length && ka.every((k) => sameTree((a as any)[k], (b as any)[k]));
}

/** LogQL → visual query, or the reason the builder cannot show it. */
export function buildVisualQuery(expr: string): BuildResult {
  if (!expr.trim()) {
    return { query: { labels: [], operations: [] } };
  }
  const vars = new Map<bigint, string>();
  const source = substituteRangeVariables(expr, vars);
  let ast;
  try {
    ast = parseExpr(source);
  } catch (e) {
    const variable = source.replace(/"(?:\\.|[^"\\])*"|`[^`]*`/g, '""').match(/\$\{[^}]*\}|\$\w+|\[\[\w+\]\]/);
    if (variable) {
      return { error: `The builder cannot show the Grafana variable ${variable[0]} here (only in strings and ranges): keep editing this query in Code mode.` };
    }
    return { error: `The query has an error, fix it in Code mode first: ${e instanceof Error ? e.message : e}` };
  }
  try {
    if (ast.kind === 'variants') {
      return cannot('`variants(…) of (…)`');
    }
    const converter = new Converter(source, vars);
    const query = ast.kind === 'log' ? logQuery(ast, source) : converter.metric(ast);
    let back;
    try {
      back = parseExpr(substituteRangeVariables(renderQuery(query), vars));
    } catch {
      back = undefined;
    }
    if (!sameTree(ast, back)) {
      return cannot('this query exactly (its builder form would change it)');
    }
    return { query };
  } catch (e) {
    if (e instanceof Unrepresentable) {
      return { error: e.message };
    }
    throw e;
  }
}
