// The typed LogQL syntax tree. Every node keeps its source span so that checker and planner errors can point at the
// exact text the user wrote. Durations and times are nanoseconds as bigint: log timestamps are exact ns and Loki's
// window arithmetic is done in ns, so a float would silently move samples across window edges.

export interface Span {
  from: number; // offset of the first character, 0-based
  to: number; // offset after the last character
}

export type MatchOp = '=' | '!=' | '=~' | '!~';

/** A stream selector matcher, `name op "value"`. */
export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
  span: Span;
}

// ---------------------------------------------------------------- log pipeline stages

/** `|= "a" or "b"`, `!~ "re"`, `|> "<_> pattern"`, `|= ip("10.0.0.0/8")`. */
export type LineFilterOp = '|=' | '!=' | '|~' | '!~' | '|>' | '!>';

export type LineFilterValue = { kind: 'string'; value: string } | { kind: 'ip'; value: string };

export interface LineFilter {
  op: LineFilterOp;
  /** `or` alternatives: a positive filter keeps a line matching any of them, a negative one drops such a line. */
  values: LineFilterValue[];
  span: Span;
}

export interface LineFilterStage {
  kind: 'lineFilter';
  filter: LineFilter;
  span: Span;
}

/** `json` / `logfmt` parameters: `label="expression"` or a bare `label` (= the key of the same name). */
export interface ExtractionParam {
  label: string;
  expression: string;
  span: Span;
}

export interface JsonStage {
  kind: 'json';
  params: ExtractionParam[]; // empty: extract every key
  span: Span;
}

export interface LogfmtStage {
  kind: 'logfmt';
  strict: boolean;
  keepEmpty: boolean;
  params: ExtractionParam[];
  span: Span;
}

export interface RegexpStage {
  kind: 'regexp';
  pattern: string; // RE2 with named groups
  span: Span;
}

export interface PatternStage {
  kind: 'pattern';
  pattern: string;
  span: Span;
}

export interface UnpackStage {
  kind: 'unpack';
  span: Span;
}

export type CompareOp = '=' | '==' | '!=' | '>' | '>=' | '<' | '<=';

export type LabelFilterExpr =
  | { kind: 'and' | 'or'; left: LabelFilterExpr; right: LabelFilterExpr; span: Span }
  /** string comparison; `=~` / `!~` are fully anchored RE2 */
  | { kind: 'string'; name: string; op: MatchOp; value: string; span: Span }
  | { kind: 'number'; name: string; op: CompareOp; value: number; span: Span }
  /** `latency > 250ms` — value in seconds (float, as Loki compares durations) */
  | { kind: 'duration'; name: string; op: CompareOp; seconds: number; ns?: bigint; span: Span }
  /** `size > 20KB` — value in bytes */
  | { kind: 'bytes'; name: string; op: CompareOp; bytes: number; span: Span }
  /** `addr = ip("10.0.0.0/8")` */
  | { kind: 'ip'; name: string; op: '=' | '!='; value: string; span: Span };

export interface LabelFilterStage {
  kind: 'labelFilter';
  expr: LabelFilterExpr;
  span: Span;
}

export interface LineFormatStage {
  kind: 'lineFormat';
  template: string; // Go text/template source
  span: Span;
}

export type LabelFormatOp =
  | { kind: 'rename'; dst: string; src: string; span: Span } // dst=src
  | { kind: 'template'; dst: string; template: string; span: Span }; // dst="{{...}}"

export interface LabelFormatStage {
  kind: 'labelFormat';
  ops: LabelFormatOp[];
  span: Span;
}

export interface DecolorizeStage {
  kind: 'decolorize';
  span: Span;
}

/** `drop a, b="x"` / `keep a, b=~"y"`: a bare name, or a name with a matcher on its value. */
export interface LabelSelection {
  name: string;
  matcher?: { op: MatchOp; value: string };
  span: Span;
}

export interface DropStage {
  kind: 'drop';
  labels: LabelSelection[];
  span: Span;
}

export interface KeepStage {
  kind: 'keep';
  labels: LabelSelection[];
  span: Span;
}

export type Stage =
  | LineFilterStage
  | JsonStage
  | LogfmtStage
  | RegexpStage
  | PatternStage
  | UnpackStage
  | LabelFilterStage
  | LineFormatStage
  | LabelFormatStage
  | DecolorizeStage
  | DropStage
  | KeepStage;

// ---------------------------------------------------------------- expressions

/** `{selector} | stage | stage …` */
export interface LogExpr {
  kind: 'log';
  matchers: Matcher[];
  pipeline: Stage[];
  span: Span;
}

export type UnwrapConversion = 'duration' | 'duration_seconds' | 'bytes';

export interface Unwrap {
  label: string;
  conversion?: UnwrapConversion;
  /** label filters written after `unwrap` (e.g. `| __error__=""`), applied to the extracted samples */
  postFilters: LabelFilterStage[];
  span: Span;
}

export type RangeOp =
  | 'count_over_time'
  | 'rate'
  | 'bytes_over_time'
  | 'bytes_rate'
  | 'absent_over_time'
  | 'rate_counter'
  | 'sum_over_time'
  | 'avg_over_time'
  | 'min_over_time'
  | 'max_over_time'
  | 'stddev_over_time'
  | 'stdvar_over_time'
  | 'quantile_over_time'
  | 'first_over_time'
  | 'last_over_time';

export interface Grouping {
  without: boolean; // false: `by`
  labels: string[];
  span: Span;
}

/** `op(param?, {…} | … | unwrap x [range] offset o) by (…)` */
export interface RangeAggregation {
  kind: 'rangeAgg';
  op: RangeOp;
  param?: number; // quantile_over_time's φ
  log: LogExpr;
  unwrap?: Unwrap;
  range: bigint; // ns
  offset: bigint; // ns, 0 when absent
  grouping?: Grouping;
  span: Span;
}

export type VectorOp =
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'stddev'
  | 'stdvar'
  | 'count'
  | 'topk'
  | 'bottomk'
  | 'sort'
  | 'sort_desc'
  | 'approx_topk';

export interface VectorAggregation {
  kind: 'vectorAgg';
  op: VectorOp;
  param?: number; // k for topk / bottomk / approx_topk
  grouping?: Grouping;
  expr: MetricExpr;
  span: Span;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^';
export type ComparisonOp = '==' | '!=' | '>' | '>=' | '<' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export interface VectorMatching {
  on: boolean; // true: on(labels), false: ignoring(labels)
  labels: string[];
  group?: { side: 'left' | 'right'; include: string[] };
}

export interface BinaryExpr {
  kind: 'binary';
  op: BinaryOp;
  bool: boolean; // comparison returns 0/1 instead of filtering
  matching?: VectorMatching;
  left: MetricExpr;
  right: MetricExpr;
  span: Span;
}

/** A scalar literal, e.g. the `2` in `x * 2`. */
export interface LiteralExpr {
  kind: 'literal';
  value: number;
  span: Span;
}

/** `vector(1)`: a single series without labels. */
export interface VectorExpr {
  kind: 'vector';
  value: number;
  span: Span;
}

/** `label_replace(expr, "dst", "replacement", "src", "regex")` */
export interface LabelReplaceExpr {
  kind: 'labelReplace';
  expr: MetricExpr;
  dst: string;
  replacement: string;
  src: string;
  regex: string;
  span: Span;
}

export type MetricExpr =
  RangeAggregation | VectorAggregation | BinaryExpr | LiteralExpr | VectorExpr | LabelReplaceExpr;

/**
 * `variants(m1, m2, …) of ({…} | … [range])`: several metric queries over one log range (Loki 3.7's multi-variant
 * queries). Parsed and formatted as Loki does; execution is refused, as by a Loki with multi-variant queries off
 * (its default).
 */
export interface VariantsExpr {
  kind: 'variants';
  variants: MetricExpr[];
  log: LogExpr;
  unwrap?: Unwrap;
  range: bigint;
  offset: bigint;
  span: Span;
}

export type Expr = LogExpr | MetricExpr;

/** Everything the parser accepts: an executable expression, or a variants query (format_query only). */
export type AnyExpr = Expr | VariantsExpr;

export function isLogExpr(e: Expr): e is LogExpr {
  return e.kind === 'log';
}
