// One table of everything LogQL can call: range aggregations, vector aggregations, unwrap conversions, binary
// operators, pipeline stages and template functions. The parser, the checker, the planner and the editor's completion
// read these tables; nothing else should hard-code the lists. Rules mirror Loki 3.x (pkg/logql/syntax).

import type { ArithmeticOp, BinaryOp, ComparisonOp, RangeOp, SetOp, UnwrapConversion, VectorOp } from './ast';

export type UnwrapRule = 'required' | 'forbidden' | 'optional';

export interface RangeFunction {
  name: RangeOp;
  /** whether `| unwrap label` must, must not or may appear in the range expression */
  unwrap: UnwrapRule;
  /** a leading numeric parameter, e.g. quantile_over_time(0.99, …) */
  param: 'required' | 'none';
  /** `… ) by (labels)` accepted after the call */
  grouping: boolean;
  doc: string;
}

export const RANGE_FUNCTIONS: Record<RangeOp, RangeFunction> = {
  count_over_time: {
    name: 'count_over_time',
    unwrap: 'forbidden',
    param: 'none',
    grouping: false,
    doc: 'Counts the entries for each log stream within the given range.',
  },
  rate: {
    name: 'rate',
    unwrap: 'optional',
    param: 'none',
    grouping: false,
    doc: 'Calculates the number of entries per second; with unwrap, the per-second rate of the sum of the values.',
  },
  bytes_over_time: {
    name: 'bytes_over_time',
    unwrap: 'forbidden',
    param: 'none',
    grouping: false,
    doc: 'Counts the amount of bytes used by each log stream for a given range.',
  },
  bytes_rate: {
    name: 'bytes_rate',
    unwrap: 'forbidden',
    param: 'none',
    grouping: false,
    doc: 'Calculates the number of bytes per second for each stream.',
  },
  absent_over_time: {
    name: 'absent_over_time',
    unwrap: 'optional',
    param: 'none',
    grouping: false,
    doc: 'Returns an empty vector if the range has any elements, and a 1-valued single-element vector otherwise.',
  },
  rate_counter: {
    name: 'rate_counter',
    unwrap: 'required',
    param: 'none',
    grouping: false,
    doc: 'Calculates the per-second rate of the values, treating them as a counter (like PromQL rate()).',
  },
  sum_over_time: {
    name: 'sum_over_time',
    unwrap: 'required',
    param: 'none',
    grouping: false,
    doc: 'The sum of all values in the specified interval.',
  },
  avg_over_time: {
    name: 'avg_over_time',
    unwrap: 'required',
    param: 'none',
    grouping: true,
    doc: 'The average value of all points in the specified interval.',
  },
  min_over_time: {
    name: 'min_over_time',
    unwrap: 'required',
    param: 'none',
    grouping: true,
    doc: 'The minimum value of all points in the specified interval.',
  },
  max_over_time: {
    name: 'max_over_time',
    unwrap: 'required',
    param: 'none',
    grouping: true,
    doc: 'The maximum value of all points in the specified interval.',
  },
  stddev_over_time: {
    name: 'stddev_over_time',
    unwrap: 'required',
    param: 'none',
    grouping: true,
    doc: 'The population standard deviation of the values in the specified interval.',
  },
  stdvar_over_time: {
    name: 'stdvar_over_time',
    unwrap: 'required',
    param: 'none',
    grouping: true,
    doc: 'The population standard variance of the values in the specified interval.',
  },
  quantile_over_time: {
    name: 'quantile_over_time',
    unwrap: 'required',
    param: 'required',
    grouping: true,
    doc: 'The φ-quantile (0 ≤ φ ≤ 1) of the values in the specified interval.',
  },
  first_over_time: {
    name: 'first_over_time',
    unwrap: 'required',
    param: 'none',
    grouping: true,
    doc: 'The first value of all points in the specified interval.',
  },
  last_over_time: {
    name: 'last_over_time',
    unwrap: 'required',
    param: 'none',
    grouping: true,
    doc: 'The last value of all points in the specified interval.',
  },
};

export interface VectorFunction {
  name: VectorOp;
  /** k of topk/bottomk/approx_topk: a positive integer */
  param: 'required' | 'none';
  /** by/without accepted (sort/sort_desc accept only an empty one, approx_topk none at all) */
  grouping: 'allowed' | 'empty-only' | 'forbidden';
  doc: string;
}

export const VECTOR_FUNCTIONS: Record<VectorOp, VectorFunction> = {
  sum: { name: 'sum', param: 'none', grouping: 'allowed', doc: 'Calculate sum over labels.' },
  avg: { name: 'avg', param: 'none', grouping: 'allowed', doc: 'Calculate the average over labels.' },
  min: { name: 'min', param: 'none', grouping: 'allowed', doc: 'Select minimum over labels.' },
  max: { name: 'max', param: 'none', grouping: 'allowed', doc: 'Select maximum over labels.' },
  stddev: {
    name: 'stddev',
    param: 'none',
    grouping: 'allowed',
    doc: 'Calculate the population standard deviation over labels.',
  },
  stdvar: {
    name: 'stdvar',
    param: 'none',
    grouping: 'allowed',
    doc: 'Calculate the population standard variance over labels.',
  },
  count: { name: 'count', param: 'none', grouping: 'allowed', doc: 'Count number of elements in the vector.' },
  topk: { name: 'topk', param: 'required', grouping: 'allowed', doc: 'Select largest k elements by sample value.' },
  bottomk: {
    name: 'bottomk',
    param: 'required',
    grouping: 'allowed',
    doc: 'Select smallest k elements by sample value.',
  },
  sort: {
    name: 'sort',
    param: 'none',
    grouping: 'empty-only',
    doc: 'Returns vector elements sorted by their sample values, in ascending order.',
  },
  sort_desc: {
    name: 'sort_desc',
    param: 'none',
    grouping: 'empty-only',
    doc: 'Returns vector elements sorted by their sample values, in descending order.',
  },
  approx_topk: {
    name: 'approx_topk',
    param: 'required',
    grouping: 'forbidden',
    doc: 'Probabilistic approximation of topk (no grouping).',
  },
};

export interface UnwrapFunction {
  name: UnwrapConversion;
  doc: string;
}

export const UNWRAP_CONVERSIONS: Record<UnwrapConversion, UnwrapFunction> = {
  duration: { name: 'duration', doc: 'Converts a Go duration (e.g. 5s, 1h30m) to seconds.' },
  duration_seconds: { name: 'duration_seconds', doc: 'Converts a Go duration (e.g. 5s, 1h30m) to seconds.' },
  bytes: { name: 'bytes', doc: 'Converts a humanized byte size (e.g. 5 MB, 3k) to bytes.' },
};

export type BinaryOpClass = 'arithmetic' | 'comparison' | 'set';

export interface BinaryOperator {
  op: BinaryOp;
  class: BinaryOpClass;
  /** higher binds tighter: or 1, and/unless 2, comparisons 3, + - 4, * / % 5, ^ 6 */
  precedence: number;
  rightAssoc: boolean;
}

const binop = (op: BinaryOp, cls: BinaryOpClass, precedence: number, rightAssoc = false): BinaryOperator => ({
  op,
  class: cls,
  precedence,
  rightAssoc,
});

export const BINARY_OPERATORS: Record<BinaryOp, BinaryOperator> = {
  or: binop('or', 'set', 1),
  and: binop('and', 'set', 2),
  unless: binop('unless', 'set', 2),
  '==': binop('==', 'comparison', 3),
  '!=': binop('!=', 'comparison', 3),
  '>': binop('>', 'comparison', 3),
  '>=': binop('>=', 'comparison', 3),
  '<': binop('<', 'comparison', 3),
  '<=': binop('<=', 'comparison', 3),
  '+': binop('+', 'arithmetic', 4),
  '-': binop('-', 'arithmetic', 4),
  '*': binop('*', 'arithmetic', 5),
  '/': binop('/', 'arithmetic', 5),
  '%': binop('%', 'arithmetic', 5),
  '^': binop('^', 'arithmetic', 6, true),
};

export function isComparisonOp(op: BinaryOp): op is ComparisonOp {
  return BINARY_OPERATORS[op].class === 'comparison';
}
export function isSetOp(op: BinaryOp): op is SetOp {
  return BINARY_OPERATORS[op].class === 'set';
}
export function isArithmeticOp(op: BinaryOp): op is ArithmeticOp {
  return BINARY_OPERATORS[op].class === 'arithmetic';
}

/** Pipeline stage keywords, for completion. */
export const PIPELINE_STAGES = [
  { name: 'json', doc: 'Extracts all JSON properties as labels, or only the listed ones: json a="b.c", d' },
  { name: 'logfmt', doc: 'Extracts all logfmt keys as labels; flags --strict and --keep-empty' },
  { name: 'regexp', doc: 'Extracts the named groups of an RE2 regular expression: regexp "(?P<name>re)"' },
  { name: 'pattern', doc: 'Extracts fields with a pattern: pattern "<ip> - <_> <status>"' },
  { name: 'unpack', doc: "Unpacks a JSON line packed by Promtail's pack stage" },
  { name: 'line_format', doc: 'Rewrites the line with a Go text/template' },
  { name: 'label_format', doc: 'Renames (dst=src) or templates (dst="{{…}}") labels' },
  { name: 'decolorize', doc: 'Strips ANSI color codes from the line' },
  { name: 'drop', doc: 'Drops labels: drop a, b="v"' },
  { name: 'keep', doc: 'Keeps only the listed labels: keep a, b="v"' },
  { name: 'unwrap', doc: "Uses a label's value as the sample value of a range aggregation" },
] as const;

/** Line filter operators. */
export const LINE_FILTER_OPS = [
  { op: '|=', doc: 'Line contains string' },
  { op: '!=', doc: 'Line does not contain string' },
  { op: '|~', doc: 'Line matches RE2 regular expression (unanchored)' },
  { op: '!~', doc: 'Line does not match RE2 regular expression' },
  { op: '|>', doc: 'Line matches pattern' },
  { op: '!>', doc: 'Line does not match pattern' },
] as const;

/**
 * Functions available in line_format / label_format templates (Loki's pkg/logql/log/fmt.go function map plus Go
 * text/template builtins).
 */
export const TEMPLATE_FUNCTIONS: readonly { name: string; doc: string }[] = [
  // Go text/template builtins
  { name: 'and', doc: 'Boolean and' },
  { name: 'or', doc: 'Boolean or' },
  { name: 'not', doc: 'Boolean negation' },
  { name: 'len', doc: 'Length of the argument' },
  { name: 'index', doc: 'Index into a map, slice or array' },
  { name: 'slice', doc: 'Slice a string or slice' },
  { name: 'print', doc: 'fmt.Sprint' },
  { name: 'printf', doc: 'fmt.Sprintf' },
  { name: 'println', doc: 'fmt.Sprintln' },
  { name: 'html', doc: 'HTML-escape' },
  { name: 'js', doc: 'JavaScript-escape' },
  { name: 'urlquery', doc: 'URL query escape' },
  { name: 'eq', doc: 'arg1 == arg2' },
  { name: 'ne', doc: 'arg1 != arg2' },
  { name: 'lt', doc: 'arg1 < arg2' },
  { name: 'le', doc: 'arg1 <= arg2' },
  { name: 'gt', doc: 'arg1 > arg2' },
  { name: 'ge', doc: 'arg1 >= arg2' },
  // strings
  { name: 'ToLower', doc: 'Lower case' },
  { name: 'ToUpper', doc: 'Upper case' },
  { name: 'lower', doc: 'Lower case' },
  { name: 'upper', doc: 'Upper case' },
  { name: 'title', doc: 'Title case' },
  { name: 'Title', doc: 'Title case' },
  { name: 'trunc', doc: 'Truncate to n characters (negative: from the end)' },
  { name: 'substr', doc: 'substr start end string' },
  { name: 'contains', doc: 'contains substr string' },
  { name: 'hasPrefix', doc: 'hasPrefix prefix string' },
  { name: 'hasSuffix', doc: 'hasSuffix suffix string' },
  { name: 'indent', doc: 'Indent every line by n spaces' },
  { name: 'nindent', doc: 'Newline then indent' },
  { name: 'replace', doc: 'replace old new string' },
  { name: 'Replace', doc: 'strings.Replace(s, old, new, n)' },
  { name: 'repeat', doc: 'Repeat a string n times' },
  { name: 'trim', doc: 'Trim whitespace' },
  { name: 'trimAll', doc: 'Trim the given characters' },
  { name: 'trimPrefix', doc: 'Trim a prefix' },
  { name: 'trimSuffix', doc: 'Trim a suffix' },
  { name: 'TrimSpace', doc: 'Trim whitespace' },
  { name: 'TrimPrefix', doc: 'Trim a prefix' },
  { name: 'TrimSuffix', doc: 'Trim a suffix' },
  { name: 'abbrev', doc: 'Abbreviate with ellipses' },
  { name: 'abbrevboth', doc: 'Abbreviate both sides' },
  { name: 'wrap', doc: 'Wrap text at n columns' },
  { name: 'wrapWith', doc: 'Wrap text with a custom string' },
  { name: 'squote', doc: 'Wrap in single quotes' },
  { name: 'quote', doc: 'Wrap in double quotes' },
  { name: 'nospace', doc: 'Remove all whitespace' },
  { name: 'initials', doc: 'First letters of each word' },
  { name: 'plural', doc: 'plural one many count' },
  { name: 'snakecase', doc: 'snake_case' },
  { name: 'camelcase', doc: 'CamelCase' },
  { name: 'kebabcase', doc: 'kebab-case' },
  { name: 'swapcase', doc: 'Swap case' },
  { name: 'regexReplaceAll', doc: 'regexReplaceAll regex string replacement' },
  { name: 'regexReplaceAllLiteral', doc: 'regexReplaceAllLiteral regex string replacement' },
  { name: 'fromJson', doc: 'Parse a JSON string' },
  { name: 'b64enc', doc: 'Base64 encode' },
  { name: 'b64dec', doc: 'Base64 decode' },
  { name: 'urlencode', doc: 'URL encode' },
  { name: 'urldecode', doc: 'URL decode' },
  { name: 'count', doc: 'Count occurrences of a regex' },
  { name: 'alignLeft', doc: 'Left-align to n characters' },
  { name: 'alignRight', doc: 'Right-align to n characters' },
  { name: 'sha256', doc: 'SHA-256 hash' },
  // numbers
  { name: 'add', doc: 'Integer sum' },
  { name: 'sub', doc: 'Integer difference' },
  { name: 'mul', doc: 'Integer product' },
  { name: 'div', doc: 'Integer quotient' },
  { name: 'mod', doc: 'Integer modulo' },
  { name: 'addf', doc: 'Float sum' },
  { name: 'subf', doc: 'Float difference' },
  { name: 'mulf', doc: 'Float product' },
  { name: 'divf', doc: 'Float quotient' },
  { name: 'max', doc: 'Integer maximum' },
  { name: 'min', doc: 'Integer minimum' },
  { name: 'maxf', doc: 'Float maximum' },
  { name: 'minf', doc: 'Float minimum' },
  { name: 'ceil', doc: 'Round up' },
  { name: 'floor', doc: 'Round down' },
  { name: 'round', doc: 'Round to n decimal places' },
  { name: 'int', doc: 'Convert to int' },
  { name: 'float64', doc: 'Convert to float64' },
  // dates
  { name: 'date', doc: 'Format a time with a Go layout' },
  { name: 'toDate', doc: 'Parse a time with a Go layout' },
  { name: 'toDateInZone', doc: 'Parse a time with a Go layout in a time zone' },
  { name: 'now', doc: 'Current time' },
  { name: 'unixEpoch', doc: 'Unix seconds of a time' },
  { name: 'unixEpochMillis', doc: 'Unix milliseconds of a time' },
  { name: 'unixEpochNanos', doc: 'Unix nanoseconds of a time' },
  { name: 'unixToTime', doc: 'Parse a Unix epoch (s, ms, µs or ns)' },
  { name: 'duration', doc: 'Go duration string to seconds' },
  { name: 'duration_seconds', doc: 'Go duration string to seconds' },
  { name: 'bytes', doc: 'Humanized byte size to bytes' },
  // misc
  { name: 'default', doc: 'default fallback value' },
  { name: 'fromJson', doc: 'Parse JSON' },
  { name: '__line__', doc: 'The current log line (pseudo-field)' },
  { name: '__timestamp__', doc: 'The entry timestamp (pseudo-field)' },
].filter((f, i, all) => all.findIndex((g) => g.name === f.name) === i);
