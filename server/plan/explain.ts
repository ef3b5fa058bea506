// Explain: a LogQL query's life as a list of stages, each said in words and placed where it runs — in the database
// (with the SQL it becomes) or in TypeScript (with the planner's named reason). The placement is not guessed from the
// query's shape: every range aggregation (with the vector aggregation directly above it, which the planner may fuse
// into the same statement) is planned by the engine's own `translate`, and its log pipeline is split by the same
// `splitPipeline` the executor uses, so what Explain says is what the engine does.
import type {
  BinaryExpr,
  Expr,
  LabelFilterExpr,
  LineFilter,
  LogExpr,
  MetricExpr,
  RangeAggregation,
  Stage,
  VectorAggregation,
} from '../logql/ast';
import { parse } from '../logql/check';
import { exprString, promDuration } from '../logql/format';
import { RANGE_FUNCTIONS, UNWRAP_CONVERSIONS } from '../logql/functions';
import type { EngineApi, Translation } from '../engine/types';
import type { Dialect } from '../sql/dialect';
import { SqlWriter } from '../sql/dialect';
import { duckdbDialect } from '../sql/dialects/duckdb/dialect';
import { postgresDialect } from '../sql/dialects/postgres/dialect';
import { clickhouseDialect } from '../sql/dialects/clickhouse/dialect';
import { lineFilterSql } from '../sql/rowSelect';
import { cannotPush, splitPipeline, stageName, type PipelineSplit } from './pushdown';
import { COUNTING, UNWRAP_OPS } from '../engine/metricPushdown';

export type StageKind =
  | 'selector'
  | 'lineFilter'
  | 'parser'
  | 'labelFilter'
  | 'format'
  | 'labels'
  | 'unwrap'
  | 'range'
  | 'aggregation'
  | 'binary'
  | 'scalar'
  | 'output';

/** database: the stage is part of a SQL statement; typescript: it runs on rows after the database; both: the
 *  database narrows or groups the rows and TypeScript finishes the stage. */
export type StageWhere = 'database' | 'typescript' | 'both';

export interface ExplainStage {
  kind: StageKind;
  /** the LogQL the user wrote for this stage */
  text: string;
  /** what the stage does, in words */
  description: string;
  where: StageWhere;
  /** why it does not (entirely) run in the database: the planner's or dialect's named reason */
  reason?: string;
  /** the SQL this stage becomes: its own condition when it has one, otherwise the statement it is part of */
  sql?: { text: string; params: unknown[] };
  /** index into `statements` of the statement that runs this stage */
  statement?: number;
  /** nesting depth in the expression tree (0 = the outermost operation), for indentation */
  depth: number;
}

export interface Explanation {
  query: string;
  dialect: string;
  /** 'logs' or 'metrics' */
  type: 'logs' | 'metrics';
  /** in evaluation order: innermost first, as the data flows */
  stages: ExplainStage[];
  statements: { text: string; params: unknown[] }[];
  /** planner notes that belong to no single stage (pre-filters, lines re-checked in TypeScript) */
  notes: string[];
}

const DIALECT_OBJECTS: Record<string, Dialect> = {
  duckdb: duckdbDialect,
  postgres: postgresDialect,
  clickhouse: clickhouseDialect,
};

const NOTE_PATTERNS = [/pre-filtered in SQL/, /could not parse exactly/];

function dialectOf(t: Translation): Dialect {
  const name = /^dialect: (\S+)/.exec(t.explain)?.[1] ?? 'duckdb';
  return DIALECT_OBJECTS[name] ?? duckdbDialect;
}

function serialParams(params: unknown[]): unknown[] {
  return params.map((p) => (typeof p === 'bigint' ? p.toString() : Array.isArray(p) ? p.map(String) : p));
}

function quoteList(values: { value: string; kind: string }[]): string {
  return values.map((v) => (v.kind === 'ip' ? `an IP in ${v.value}` : JSON.stringify(v.value))).join(' or ');
}

function lineFilterWords(f: LineFilter): string {
  const vs = quoteList(f.values);
  switch (f.op) {
    case '|=':
      return `keep lines containing ${vs}`;
    case '!=':
      return `drop lines containing ${vs}`;
    case '|~':
      return `keep lines matching the regular expression ${vs} (unanchored RE2)`;
    case '!~':
      return `drop lines matching the regular expression ${vs}`;
    case '|>':
      return `keep lines matching the pattern ${vs}`;
    case '!>':
      return `drop lines matching the pattern ${vs}`;
  }
}

function labelFilterWords(e: LabelFilterExpr): string {
  switch (e.kind) {
    case 'and':
      return `${labelFilterWords(e.left)} and ${labelFilterWords(e.right)}`;
    case 'or':
      return `${labelFilterWords(e.left)} or ${labelFilterWords(e.right)}`;
    case 'string': {
      const what = { '=': 'is', '!=': 'is not', '=~': 'fully matches', '!~': 'does not fully match' }[e.op];
      return `${e.name} ${what} ${JSON.stringify(e.value)}`;
    }
    case 'number':
      return `${e.name} ${e.op} ${e.value} (as a number)`;
    case 'duration':
      return `${e.name} ${e.op} ${e.seconds}s (as a duration)`;
    case 'bytes':
      return `${e.name} ${e.op} ${e.bytes} bytes`;
    case 'ip':
      return `${e.name} ${e.op === '=' ? 'is' : 'is not'} an IP in ${e.value}`;
  }
}

function stageKind(st: Stage): StageKind {
  switch (st.kind) {
    case 'lineFilter':
      return 'lineFilter';
    case 'json':
    case 'logfmt':
    case 'regexp':
    case 'pattern':
    case 'unpack':
      return 'parser';
    case 'labelFilter':
      return 'labelFilter';
    case 'lineFormat':
    case 'decolorize':
      return 'format';
    default:
      return 'labels';
  }
}

function stageWords(st: Stage): string {
  switch (st.kind) {
    case 'lineFilter':
      return lineFilterWords(st.filter);
    case 'json':
      return st.params.length
        ? `parse each line as JSON and extract ${st.params.map((p) => `${p.label} = ${p.expression}`).join(', ')}`
        : 'parse each line as JSON: every field becomes a label (nested keys joined with _); a line that is not JSON gets __error__=JSONParserErr';
    case 'logfmt': {
      const flags = [st.strict ? 'strictly' : '', st.keepEmpty ? 'keeping empty values' : '']
        .filter(Boolean)
        .join(', ');
      const what = st.params.length
        ? `extract ${st.params.map((p) => `${p.label} = ${p.expression}`).join(', ')}`
        : 'every key=value pair becomes a label';
      return `parse each line as logfmt${flags ? ` (${flags})` : ''}: ${what}`;
    }
    case 'regexp':
      return 'extract the named groups of the regular expression as labels (no error when a line does not match)';
    case 'pattern':
      return "extract the pattern's named fields as labels (no error when a line does not match)";
    case 'unpack':
      return 'unpack lines packed by Promtail: their labels come back and the line becomes _entry';
    case 'labelFilter':
      return `keep lines where ${labelFilterWords(st.expr)}`;
    case 'lineFormat':
      return 'rewrite each line with the Go template';
    case 'labelFormat':
      return `set labels: ${st.ops.map((o) => (o.kind === 'rename' ? `${o.dst} from ${o.src}` : `${o.dst} from a template`)).join(', ')}`;
    case 'decolorize':
      return 'strip ANSI colour codes from each line';
    case 'drop':
      return `drop the labels ${st.labels.map((l) => l.name).join(', ')}`;
    case 'keep':
      return `keep only the labels ${st.labels.map((l) => l.name).join(', ')}`;
  }
}

function selectorWords(e: LogExpr): string {
  const ms = e.matchers.map((m) => {
    const what = { '=': 'is', '!=': 'is not', '=~': 'fully matches', '!~': 'does not fully match' }[m.op];
    return `${m.name} ${what} ${JSON.stringify(m.value)}`;
  });
  return `read the entries of the streams where ${ms.join(' and ')}, within the time range`;
}

function aggregationWords(e: VectorAggregation): string {
  const g = e.grouping
    ? e.grouping.without
      ? ` of all labels but ${e.grouping.labels.join(', ')}`
      : e.grouping.labels.length
        ? ` by ${e.grouping.labels.join(', ')}`
        : ' into one series'
    : ' into one series';
  switch (e.op) {
    case 'topk':
    case 'bottomk':
    case 'approx_topk':
      return `keep the ${e.param} series with the ${e.op === 'bottomk' ? 'smallest' : 'largest'} values at each step${e.grouping?.labels.length ? ` per ${e.grouping.labels.join(', ')}` : ''}`;
    case 'sort':
    case 'sort_desc':
      return `sort the series by value (${e.op === 'sort' ? 'ascending' : 'descending'})`;
    default:
      return `${AGGREGATION_VERBS[e.op]}${g}`;
  }
}

const AGGREGATION_VERBS: Partial<Record<VectorAggregation['op'], string>> = {
  sum: 'sum the series',
  avg: 'average the series',
  min: 'take the minimum of the series',
  max: 'take the maximum of the series',
  stddev: 'population standard deviation of the series',
  stdvar: 'population variance of the series',
  count: 'count the series',
};

function binaryWords(e: BinaryExpr): string {
  const names: Record<string, string> = {
    '+': 'add',
    '-': 'subtract',
    '*': 'multiply',
    '/': 'divide',
    '%': 'take the remainder of',
    '^': 'raise to a power',
    and: 'keep left series that have a match on the right',
    or: 'all left series, plus right series with no match on the left',
    unless: 'keep left series that have no match on the right',
  };
  const m = e.matching ? ` matching ${e.matching.on ? 'on' : 'ignoring'} (${e.matching.labels.join(', ')})` : '';
  const what = names[e.op] ?? `compare with ${e.op}${e.bool ? ' (bool: 0 or 1)' : ' and keep the series that pass'}`;
  return `${what}: left and right, series by series${m}`;
}

const TS_BINARY = 'binary operations match series after the database returned them (eval/binary.ts)';
const TS_AGGREGATION = 'vector aggregations combine the series the database returned (eval/vector.ts)';

interface Ctx {
  engine: EngineApi;
  query: string;
  dialect: Dialect;
  dialectName?: string;
  statements: { text: string; params: unknown[] }[];
  notes: Set<string>;
  stages: ExplainStage[];
}

function textOf(ctx: Ctx, span: { from: number; to: number }): string {
  return ctx.query.slice(span.from, span.to).trim();
}

/** A statement's index in the explanation's list, adding it when new. */
function statementIndex(ctx: Ctx, st: { text: string; params: unknown[] }): number {
  const i = ctx.statements.findIndex((s) => s.text === st.text);
  if (i >= 0) return i;
  ctx.statements.push(st);
  return ctx.statements.length - 1;
}

/** The selector and the pipeline of a log expression: pushed line filters in SQL, the rest in TypeScript. */
function pipelineStages(
  ctx: Ctx,
  log: LogExpr,
  depth: number,
  statement: number | undefined,
  allInDatabase: boolean,
  tsReasons: string[],
  /** metric queries: why the range aggregation (and so its pipeline) runs in TypeScript */
  rangeReason?: string,
): void {
  const st = statement === undefined ? undefined : ctx.statements[statement];
  ctx.stages.push({
    kind: 'selector',
    text: log.matchers.length ? textOf(ctx, { from: log.span.from, to: selectorEnd(ctx, log) }) : '{}',
    description: selectorWords(log),
    where: 'database',
    sql: st,
    statement,
    depth,
  });
  const split = splitPipeline(log.pipeline, ctx.dialect.capabilities);
  const rest = new Map(split.rest.map((s, i) => [s, split.reasons[i]]));
  for (const stage of log.pipeline) {
    const base = { kind: stageKind(stage), text: textOf(ctx, stage.span), description: stageWords(stage), depth };
    const why = rest.get(stage);
    if (allInDatabase || why === undefined) {
      let sql = st;
      if (stage.kind === 'lineFilter') {
        const w = new SqlWriter(ctx.dialect);
        sql = { text: lineFilterSql(w, 'line', stage.filter), params: serialParams(w.params) };
      }
      ctx.stages.push({ ...base, where: 'database', sql, statement });
    } else {
      // a line filter has its own reason (plan/pushdown.ts); any other stage runs where its query's rows are handled
      const reason =
        stage.kind === 'lineFilter'
          ? why
          : rangeReason
            ? `runs with the range aggregation in TypeScript: ${rangeReason}`
            : `a log query returns its lines, so only line filters go into its SQL: ${stageName(stage)} runs on the lines the database returns`;
      const prefiltered =
        stage.kind === 'labelFilter' && tsReasons.some((r) => /label filters .* pre-filtered in SQL/.test(r));
      ctx.stages.push({
        ...base,
        where: prefiltered ? 'both' : 'typescript',
        reason: prefiltered ? `${reason}; the database pre-filters the rows it certainly drops` : reason,
        statement: prefiltered ? statement : undefined,
        sql: prefiltered ? st : undefined,
      });
    }
  }
}

/** Offset after the selector's closing brace. */
function selectorEnd(ctx: Ctx, log: LogExpr): number {
  const last = log.matchers[log.matchers.length - 1];
  const close = ctx.query.indexOf('}', last.span.to);
  return close < 0 ? last.span.to : close + 1;
}

/** Why a range aggregation runs in TypeScript: the planner's or dialect's own reason when it gave one, else the rule
 *  of engine/metricPushdown.ts it does not meet (that file's header lists what runs in SQL). */
function rangeReasonOf(
  dialect: Dialect,
  node: RangeAggregation,
  consumer: VectorAggregation | undefined,
  split: PipelineSplit,
  tsStages: string[],
): string {
  const specific = tsStages.find(
    (r) =>
      !NOTE_PATTERNS.some((p) => p.test(r)) &&
      !/ runs in TypeScript$/.test(r) &&
      !/^line filter|^regex line filter|^pattern line filter|^ip\(\)/.test(r),
  );
  // a line filter the database cannot run keeps everything after it in TypeScript, whatever else the planner tried
  // (one after a line_format or decolorize reads their SQL line where the pipeline runs in SQL)
  const lineFilter = split.rest.findIndex(
    (s) => s.kind === 'lineFilter' && cannotPush(s.filter, dialect.capabilities) !== undefined,
  );
  if (lineFilter >= 0) return `a line filter runs in TypeScript (${split.reasons[lineFilter]})`;
  if (specific) return specific;
  if (node.unwrap) {
    const u = node.unwrap;
    if (!UNWRAP_OPS.has(node.op)) return `${node.op} over unwrapped values is computed in TypeScript`;
    // as engine/metricPushdown.ts pushUnwrap: conversions in SQL where the dialect runs parsers; post filters only as
    // `__error__=""`
    if (u.conversion && !dialect.parsers) return `unwrap ${u.conversion}() converts values in TypeScript`;
    const noErrorOnly = u.postFilters.every(
      (f) => f.expr.kind === 'string' && f.expr.name === '__error__' && f.expr.op === '=' && f.expr.value === '',
    );
    if (!noErrorOnly) return 'label filters after unwrap (other than __error__="") run in TypeScript';
    if (!dialect.capabilities.jsonExtract) return `${dialect.name} cannot extract JSON fields in SQL here`;
    const absorbs = consumer && ['sum', 'max', 'min'].includes(consumer.op);
    if (!(node.grouping && !node.grouping.without) && !absorbs)
      return (
        'unwrapped values are aggregated in SQL only grouped (… by (…)), under sum / max / min, or over a pipeline ' +
        'whose labels the query fixes (pattern, regexp, json with parameters)'
      );
    return 'SQL could not take every value exactly as Loki would (the unwrapped field is also a stream label or a grouping label, or the pipeline has no exact SQL form)';
  }
  if (!COUNTING.has(node.op)) return `${node.op} is computed in TypeScript over the rows the database returns`;
  if (node.grouping) return 'a range aggregation with its own by / without grouping is computed in TypeScript';
  if (split.rest.length > 0 && (consumer?.op !== 'sum' || consumer.grouping?.without))
    return "with parsers or label filters, counts run in SQL only under sum / sum by (…) (otherwise Loki's series carry every extracted label)";
  return 'no exact SQL form for this pipeline: the database returns the rows and TypeScript counts';
}

async function translateSub(ctx: Ctx, e: Expr): Promise<Translation> {
  return ctx.engine.translate(exprString(e), ctx.dialectName);
}

async function rangeStages(
  ctx: Ctx,
  node: RangeAggregation,
  depth: number,
  consumer?: VectorAggregation,
): Promise<{ pushed: boolean; statement?: number }> {
  // planned as the engine plans it: with the aggregation directly above, which the planner may fuse into SQL
  const sub = consumer ? { ...consumer, expr: node } : node;
  const t = await translateSub(ctx, sub);
  for (const r of t.tsStages) if (NOTE_PATTERNS.some((p) => p.test(r))) ctx.notes.add(r);
  const scanned = t.tsStages.some((r) => r === `${node.op} over the pipeline's samples runs in TypeScript`);
  const statement = t.sql.length ? statementIndex(ctx, t.sql[t.sql.length - 1]) : undefined;
  for (const s of t.sql.slice(0, -1)) statementIndex(ctx, s);
  const split = splitPipeline(node.log.pipeline, ctx.dialect.capabilities);
  const rangeReason = scanned ? rangeReasonOf(ctx.dialect, node, consumer, split, t.tsStages) : undefined;
  pipelineStages(ctx, node.log, depth + 1, statement, !scanned, t.tsStages, rangeReason);
  const st = statement === undefined ? undefined : ctx.statements[statement];
  const fn = RANGE_FUNCTIONS[node.op];
  if (node.unwrap) {
    const u = node.unwrap;
    const conv = u.conversion ? ` converted by ${u.conversion}() (${UNWRAP_CONVERSIONS[u.conversion].doc})` : '';
    const post = u.postFilters.length ? `; then ${u.postFilters.map((f) => stageWords(f)).join('; ')}` : '';
    ctx.stages.push({
      kind: 'unwrap',
      text: textOf(ctx, u.span),
      description: `use the value of label ${u.label}${conv} as each line's sample${post}; a value that does not convert fails the query unless __error__ is filtered`,
      where: scanned ? 'typescript' : 'database',
      reason: scanned ? `runs with the range aggregation in TypeScript: ${rangeReason}` : undefined,
      sql: scanned ? undefined : st,
      statement: scanned ? undefined : statement,
      depth: depth + 1,
    });
  }
  const windowWords = `in each ${promDuration(node.range)} window ending at every step${node.offset ? `, shifted back by ${promDuration(node.offset)}` : ''}`;
  const grouping = node.grouping
    ? `, then ${node.grouping.without ? 'without' : 'by'} (${node.grouping.labels.join(', ')})`
    : ', per stream';
  ctx.stages.push({
    kind: 'range',
    text: `${node.op}(… [${promDuration(node.range)}])${node.grouping ? ` ${node.grouping.without ? 'without' : 'by'} (${node.grouping.labels.join(', ')})` : ''}`,
    description: `${fn.doc.replace(/\.$/, '')} — ${windowWords}${grouping}`,
    where: scanned ? 'typescript' : 'database',
    reason: scanned ? rangeReason : undefined,
    sql: scanned ? undefined : st,
    statement: scanned ? undefined : statement,
    depth,
  });
  return { pushed: !scanned, statement };
}

async function metricStages(ctx: Ctx, e: MetricExpr, depth: number): Promise<void> {
  switch (e.kind) {
    case 'rangeAgg':
      await rangeStages(ctx, e, depth);
      return;
    case 'vectorAgg': {
      const direct = e.expr.kind === 'rangeAgg' ? await rangeStages(ctx, e.expr, depth + 1, e) : undefined;
      if (!direct) await metricStages(ctx, e.expr, depth + 1);
      const st = direct?.statement === undefined ? undefined : ctx.statements[direct.statement];
      const grouped = !!direct?.pushed && !!st && /GROUP BY/i.test(st.text);
      ctx.stages.push({
        kind: 'aggregation',
        text: `${e.op}${e.param !== undefined ? `(${e.param}, …)` : '(…)'}${e.grouping ? ` ${e.grouping.without ? 'without' : 'by'} (${e.grouping.labels.join(', ')})` : ''}`,
        description: aggregationWords(e),
        where: grouped ? 'both' : 'typescript',
        reason: grouped
          ? 'the database groups rows per series (or per output group) and step; TypeScript combines the series it returns'
          : TS_AGGREGATION,
        sql: grouped ? st : undefined,
        statement: grouped ? direct?.statement : undefined,
        depth,
      });
      return;
    }
    case 'binary':
      await metricStages(ctx, e.left, depth + 1);
      await metricStages(ctx, e.right, depth + 1);
      ctx.stages.push({
        kind: 'binary',
        text: `… ${e.op}${e.bool ? ' bool' : ''} …`,
        description: binaryWords(e),
        where: 'typescript',
        reason: TS_BINARY,
        depth,
      });
      return;
    case 'labelReplace':
      await metricStages(ctx, e.expr, depth + 1);
      ctx.stages.push({
        kind: 'labels',
        text: `label_replace(…, ${JSON.stringify(e.dst)}, ${JSON.stringify(e.replacement)}, ${JSON.stringify(e.src)}, ${JSON.stringify(e.regex)})`,
        description: `set label ${e.dst} from ${e.src} when it fully matches the regular expression`,
        where: 'typescript',
        reason: 'label_replace rewrites the labels of the series the database returned',
        depth,
      });
      return;
    case 'literal':
    case 'vector':
      ctx.stages.push({
        kind: 'scalar',
        text: textOf(ctx, e.span),
        description: e.kind === 'literal' ? `the number ${e.value}` : `one series without labels, value ${e.value}`,
        where: 'typescript',
        reason: 'a constant: no data to read',
        depth,
      });
      return;
  }
}

/** The stages of `query` on `engine`, for `dialect` (the engine's own when undefined). Throws LogQLError on a query
 *  that does not parse or check, as translate does. */
export async function explainQuery(engine: EngineApi, query: string, dialectName?: string): Promise<Explanation> {
  const expr = parse(query);
  const whole = await engine.translate(query, dialectName);
  const dialect = dialectOf(whole);
  const ctx: Ctx = { engine, query, dialect, dialectName, statements: [], notes: new Set(), stages: [] };
  if (expr.kind === 'log') {
    for (const r of whole.tsStages) if (NOTE_PATTERNS.some((p) => p.test(r))) ctx.notes.add(r);
    const statement = whole.sql.length ? statementIndex(ctx, whole.sql[whole.sql.length - 1]) : undefined;
    pipelineStages(ctx, expr, 0, statement, false, whole.tsStages);
    const inSql = splitPipeline(expr.pipeline, dialect.capabilities).rest.length === 0;
    ctx.stages.push({
      kind: 'output',
      text: 'limit, direction',
      description:
        'return the newest (backward) or oldest (forward) lines up to the limit, grouped into streams by their labels',
      where: inSql ? 'database' : 'both',
      reason: inSql
        ? undefined
        : 'rows are read from the database newest first, window by window, through the TypeScript stages until the limit is filled',
      sql: statement === undefined ? undefined : ctx.statements[statement],
      statement,
      depth: 0,
    });
  } else {
    // each range aggregation is planned on its own (with its consumer): the statements are theirs
    await metricStages(ctx, expr, 0);
  }
  return {
    query,
    dialect: dialect.name,
    type: expr.kind === 'log' ? 'logs' : 'metrics',
    stages: ctx.stages,
    statements: ctx.statements,
    notes: [...ctx.notes],
  };
}
