// The builder's LogQL operation registry: one typed table (as Prometheus' promql/parser/functions.go is for PromQL)
// of every operation the builder offers — line filters, parsers, label filters, formatting stages, unwrap, range
// functions, vector aggregations, label_replace and binary operations with a number. Each entry says how it renders
// (with the operator precedence a binary operation needs) and where it goes when added; the docs of functions come
// from the server's own table (server/logql/functions.ts), so editor, checker and planner describe them alike.

import type {
  QueryBuilderOperationDefinition,
  QueryBuilderOperationParamDef,
  QueryBuilderOperationParamValue,
  VisualQueryModeller,
} from '@grafana/plugin-ui';

import { RANGE_FUNCTIONS, VECTOR_FUNCTIONS } from '../../../server/logql/functions';
import type { RangeOp, VectorOp } from '../../../server/logql/ast';
import type { LogQLVisualQuery, QueryBuilderOperation } from './model';

export const Category = {
  lineFilters: 'Line filters',
  formats: 'Formats',
  labelFilters: 'Label filters',
  rangeFunctions: 'Range functions',
  aggregations: 'Aggregations',
  functions: 'Functions',
  binaryOps: 'Binary operations',
} as const;

/** Where an operation sits in a query: pipeline stages, then unwrap, then the range function, then the rest. */
export type OpKind = 'pipeline' | 'unwrap' | 'range' | 'outer';

const RANK: Record<OpKind, number> = { pipeline: 1, unwrap: 2, range: 3, outer: 4 };

/** Rendered text and the precedence of its top-level operator (ATOM when none), to parenthesise binary operands. */
export interface Rendered {
  text: string;
  prec: number;
}

export const ATOM = 100;

type Params = QueryBuilderOperationParamValue[];

export interface LogQLOperationDef extends QueryBuilderOperationDefinition<LogQLVisualQuery> {
  kind: OpKind;
  render(inner: Rendered, params: Params): Rendered;
}

// ---------------------------------------------------------------- text helpers

/** A LogQL string literal: a raw `…` string for regexes with backslashes (as Loki prints them), else Go-quoted. */
export function quote(value: QueryBuilderOperationParamValue | undefined, preferRaw = false): string {
  const s = String(value ?? '');
  if (preferRaw && s.includes('\\') && !s.includes('`')) {
    return '`' + s + '`';
  }
  // JSON's escapes (\" \\ \n \t \uXXXX) are all valid Go string escapes
  return JSON.stringify(s);
}

const str = (v: QueryBuilderOperationParamValue | undefined) => String(v ?? '').trim();

/** Rest parameters (labels, extraction expressions) without the empty ones a user added and left blank. */
const rest = (params: Params, from: number) => params.slice(from).map(str).filter(Boolean);

/** Binary operators by precedence (Prometheus/LogQL: `^` binds tightest and is right-associative). */
export const BINARY_PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '>': 3,
  '>=': 3,
  '<': 3,
  '<=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '^': 6,
};

export const COMPARISON_OPS = new Set(['==', '!=', '>', '>=', '<', '<=']);

/** Parenthesise an operand when its own operator binds looser than the one it is an operand of. */
export function operand(r: Rendered, prec: number, side: 'left' | 'right', rightAssoc = false): string {
  const needs = side === 'left' ? r.prec < prec || (rightAssoc && r.prec === prec) : r.prec < prec || (!rightAssoc && r.prec === prec);
  return needs ? `(${r.text})` : r.text;
}

// ---------------------------------------------------------------- param definitions

const RANGES = ['$__auto', '$__interval', '$__range', '1m', '5m', '10m', '1h', '24h'];

const rangeParam: QueryBuilderOperationParamDef = { name: 'Range', type: 'string', options: RANGES };
const offsetParam: QueryBuilderOperationParamDef = {
  name: 'Offset',
  type: 'string',
  options: ['1h', '1d', '7d'],
  optional: true,
};
const labelRest: QueryBuilderOperationParamDef = {
  name: 'Label',
  type: 'string',
  restParam: true,
  optional: true,
  placeholder: 'label',
};
const lineValue: QueryBuilderOperationParamDef = {
  name: 'Text',
  type: 'string',
 
  restParam: true,
  placeholder: 'Text to find',
  description: 'More than one value: the line matches any of them (`or`).',
  minWidth: 20,
  runQueryOnEnter: true,
};

// ---------------------------------------------------------------- definitions

function def(
  d: Omit<LogQLOperationDef, 'addOperationHandler' | 'renderer' | 'defaultParams'> & {
    defaultParams?: Params;
  },
): LogQLOperationDef {
  const full: LogQLOperationDef = {
    defaultParams: d.defaultParams ?? d.params.filter((p) => !p.optional).map((p) => (p.type === 'boolean' ? false : '')),
    ...d,
    addOperationHandler: addOperation,
    renderer: (model, _def, inner) => d.render({ text: inner, prec: ATOM }, model.params).text,
  };
  return full;
}

const pipe = (inner: Rendered, stage: string): Rendered => ({ text: `${inner.text} | ${stage}`, prec: ATOM });

const LINE_FILTERS: Array<[string, string, string, boolean]> = [
  ['__line_contains', 'Line contains', '|=', false],
  ['__line_contains_not', 'Line does not contain', '!=', false],
  ['__line_matches_regex', 'Line contains regex match', '|~', true],
  ['__line_matches_regex_not', 'Line does not match regex', '!~', true],
  ['__line_matches_pattern', 'Line matches pattern', '|>', false],
  ['__line_matches_pattern_not', 'Line does not match pattern', '!>', false],
];

function lineFilterDefs(): LogQLOperationDef[] {
  const defs = LINE_FILTERS.map(([id, name, op, regex]) =>
    def({
      id,
      name,
      kind: 'pipeline',
      category: Category.lineFilters,
      alternativesKey: 'line filter',
      params: [lineValue],
      defaultParams: [''],
      documentation: `Keeps lines ${op.startsWith('!') ? 'not ' : ''}matching (\`${op}\`) the ${regex ? 'regular expression' : op.endsWith('>') ? 'pattern' : 'text'}.`,
      render: (inner, p) => ({
        text: `${inner.text} ${op} ${(p.length ? p : ['']).map((v) => quote(v, regex)).join(' or ')}`,
        prec: ATOM,
      }),
    }),
  );
  defs.push(
    def({
      id: '__line_filter_ip',
      name: 'IP line filter',
      kind: 'pipeline',
      category: Category.lineFilters,
      params: [
        { name: 'Operator', type: 'string', options: ['|=', '!='] },
        { name: 'IP range', type: 'string', placeholder: '10.0.0.0/8' },
      ],
      defaultParams: ['|=', ''],
      documentation: 'Keeps lines containing (or not) an IP address in the range: a single IP, a range or a CIDR.',
      render: (inner, p) => ({ text: `${inner.text} ${str(p[0]) || '|='} ip(${quote(p[1])})`, prec: ATOM }),
    }),
  );
  return defs;
}

function formatDefs(): LogQLOperationDef[] {
  const expressions: QueryBuilderOperationParamDef = {
    name: 'Expression',
    type: 'string',
    restParam: true,
    optional: true,
    minWidth: 18,
    placeholder: 'server="servers[0]"',
    description: 'Extract only these fields: `label` or `label="json.path"`.',
  };
  return [
    def({
      id: 'json',
      name: 'Json',
      kind: 'pipeline',
      category: Category.formats,
      params: [expressions],
      defaultParams: [],
      documentation: 'Extracts JSON keys as labels (nested keys joined with `_`), or only the expressions given.',
      render: (inner, p) => pipe(inner, ['json', rest(p, 0).join(', ')].filter(Boolean).join(' ')),
    }),
    def({
      id: 'logfmt',
      name: 'Logfmt',
      kind: 'pipeline',
      category: Category.formats,
      params: [
        { name: 'Strict', type: 'boolean', description: 'Stop at the first malformed pair (`--strict`).' },
        { name: 'Keep empty', type: 'boolean', description: 'Keep standalone keys with an empty value (`--keep-empty`).' },
        expressions,
      ],
      defaultParams: [false, false],
      documentation: 'Extracts logfmt `key=value` pairs as labels.',
      render: (inner, p) =>
        pipe(
          inner,
          [
            'logfmt',
            p[0] === true || p[0] === 'true' ? '--strict' : '',
            p[1] === true || p[1] === 'true' ? '--keep-empty' : '',
            rest(p, 2).join(', '),
          ]
            .filter(Boolean)
            .join(' '),
        ),
    }),
    def({
      id: 'regexp',
      name: 'Regexp',
      kind: 'pipeline',
      category: Category.formats,
      params: [{ name: 'Expression', type: 'string', placeholder: '(?P<status>\\d{3})', minWidth: 20 }],
      documentation: 'Extracts the named groups of an RE2 regular expression as labels.',
      render: (inner, p) => pipe(inner, `regexp ${quote(p[0], true)}`),
    }),
    def({
      id: 'pattern',
      name: 'Pattern',
      kind: 'pipeline',
      category: Category.formats,
      params: [{ name: 'Expression', type: 'string', placeholder: '<ip> - <_> "<method> <_>"', minWidth: 20 }],
      documentation: 'Extracts the `<name>` captures of a pattern as labels.',
      render: (inner, p) => pipe(inner, `pattern ${quote(p[0])}`),
    }),
    def({
      id: 'unpack',
      name: 'Unpack',
      kind: 'pipeline',
      category: Category.formats,
      params: [],
      documentation: 'Unpacks a JSON line packed by Promtail’s `pack` stage: its keys become labels, `_entry` the line.',
      render: (inner) => pipe(inner, 'unpack'),
    }),
    def({
      id: 'line_format',
      name: 'Line format',
      kind: 'pipeline',
      category: Category.formats,
      params: [{ name: 'Template', type: 'string', placeholder: '{{.status}} {{.msg}}', minWidth: 20 }],
      documentation: 'Rewrites the line with a Go text/template over the labels.',
      render: (inner, p) => pipe(inner, `line_format ${quote(p[0])}`),
    }),
    def({
      id: 'label_format',
      name: 'Label format',
      kind: 'pipeline',
      category: Category.formats,
      params: [
        {
          name: 'Assignment',
          type: 'string',
          restParam: true,
          placeholder: 'new=old or new="{{.a}}"',
          description: '`new=old` renames a label, `new="{{…}}"` sets it from a template.',
          minWidth: 16,
        },
      ],
      defaultParams: [''],
      documentation: 'Renames labels or sets them from Go templates.',
      render: (inner, p) => pipe(inner, `label_format ${rest(p, 0).join(', ')}`),
    }),
    def({
      id: 'drop',
      name: 'Drop labels',
      kind: 'pipeline',
      category: Category.formats,
      params: [{ ...labelRest, description: '`name`, or `name="value"` to drop it only with that value.' }],
      defaultParams: [''],
      documentation: 'Removes labels from the result.',
      render: (inner, p) => pipe(inner, `drop ${rest(p, 0).join(', ')}`),
    }),
    def({
      id: 'keep',
      name: 'Keep labels',
      kind: 'pipeline',
      category: Category.formats,
      params: [{ ...labelRest, description: '`name`, or `name="value"` to keep it only with that value.' }],
      defaultParams: [''],
      documentation: 'Keeps only these labels.',
      render: (inner, p) => pipe(inner, `keep ${rest(p, 0).join(', ')}`),
    }),
    def({
      id: 'decolorize',
      name: 'Decolorize',
      kind: 'pipeline',
      category: Category.formats,
      params: [],
      documentation: 'Strips ANSI colour codes from the line.',
      render: (inner) => pipe(inner, 'decolorize'),
    }),
    def({
      id: 'unwrap',
      name: 'Unwrap',
      kind: 'unwrap',
      category: Category.formats,
      params: [
        { name: 'Label', type: 'string', placeholder: 'latency' },
        {
          name: 'Conversion',
          type: 'string',
          options: [
            { label: 'none (number)', value: '' },
            { label: 'duration', value: 'duration' },
            { label: 'duration_seconds', value: 'duration_seconds' },
            { label: 'bytes', value: 'bytes' },
          ],
        },
      ],
      defaultParams: ['', ''],
      documentation: 'Takes the sample values of a range function from a label, converting durations or byte sizes.',
      render: (inner, p) => {
        const conv = str(p[1]);
        return pipe(inner, `unwrap ${conv ? `${conv}(${str(p[0])})` : str(p[0])}`);
      },
    }),
  ];
}

function labelFilterDefs(): LogQLOperationDef[] {
  return [
    def({
      id: '__label_filter',
      name: 'Label filter expression',
      kind: 'pipeline',
      category: Category.labelFilters,
      params: [
        { name: 'Label', type: 'string', placeholder: 'label' },
        { name: 'Operator', type: 'string', options: ['=', '!=', '=~', '!~'] },
        { name: 'Value', type: 'string', placeholder: 'value' },
      ],
      defaultParams: ['', '=', ''],
      documentation: 'Keeps lines whose label compares as a string (`=~` and `!~` match the whole value).',
      render: (inner, p) => {
        const op = str(p[1]) || '=';
        return pipe(inner, `${str(p[0])}${op}${quote(p[2], op.includes('~'))}`);
      },
    }),
    def({
      id: '__label_filter_compare',
      name: 'Number, duration or size filter',
      kind: 'pipeline',
      category: Category.labelFilters,
      params: [
        { name: 'Label', type: 'string', placeholder: 'label' },
        { name: 'Operator', type: 'string', options: ['>', '>=', '<', '<=', '==', '!=', '='] },
        { name: 'Value', type: 'string', placeholder: '500, 250ms or 20KB' },
      ],
      defaultParams: ['', '>', ''],
      documentation: 'Compares a label as a number (`500`), a duration (`250ms`) or a byte size (`20KB`).',
      render: (inner, p) => pipe(inner, `${str(p[0])} ${str(p[1]) || '>'} ${str(p[2])}`),
    }),
    def({
      id: '__label_filter_ip',
      name: 'IP label filter',
      kind: 'pipeline',
      category: Category.labelFilters,
      params: [
        { name: 'Label', type: 'string', placeholder: 'addr' },
        { name: 'Operator', type: 'string', options: ['=', '!='] },
        { name: 'IP range', type: 'string', placeholder: '10.0.0.0/8' },
      ],
      defaultParams: ['', '=', ''],
      documentation: 'Keeps lines whose label is (or is not) an IP address in the range.',
      render: (inner, p) => pipe(inner, `${str(p[0])}${str(p[1]) || '='}ip(${quote(p[2])})`),
    }),
    def({
      id: '__label_filter_no_errors',
      name: 'No pipeline errors',
      kind: 'pipeline',
      category: Category.labelFilters,
      params: [],
      documentation: 'Drops lines a parser or conversion failed on (`__error__=""`).',
      render: (inner) => pipe(inner, '__error__=""'),
    }),
    def({
      id: '__label_filter_expression',
      name: 'Label filter (and / or)',
      kind: 'pipeline',
      category: Category.labelFilters,
      params: [{ name: 'Expression', type: 'string', placeholder: 'status >= 500 or level="error"', minWidth: 24 }],
      documentation: 'Label filters combined with `and`, `or` and parentheses, as written in LogQL.',
      render: (inner, p) => pipe(inner, str(p[0])),
    }),
  ];
}

function rangeDefs(): LogQLOperationDef[] {
  const out: LogQLOperationDef[] = [];
  for (const op of Object.keys(RANGE_FUNCTIONS) as RangeOp[]) {
    const f = RANGE_FUNCTIONS[op];
    const withParam = f.param === 'required';
    const fixed = withParam ? 3 : 2;
    const title = op
      .split('_')
      .map((w, i) => (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w))
      .join(' ');
    for (const by of f.grouping ? [undefined, 'by' as const, 'without' as const] : [undefined]) {
      out.push(
        def({
          id: by ? `__${op}_${by}` : op,
          name: by ? `${title} ${by}` : title,
          kind: 'range',
          category: Category.rangeFunctions,
          alternativesKey: `range function ${withParam} ${by ?? ''}`,
          params: [
            ...(withParam ? [{ name: 'Quantile', type: 'number' as const, options: [0.5, 0.9, 0.95, 0.99] }] : []),
            rangeParam,
            offsetParam,
            ...(by ? [{ ...labelRest, optional: false }] : []),
          ],
          defaultParams: [...(withParam ? [0.95] : []), '$__auto', '', ...(by ? [''] : [])],
          documentation: f.doc + (f.unwrap === 'required' ? ' Needs an Unwrap operation before it.' : ''),
          render: (inner, p) => {
            const [q, range, offset] = withParam ? p : [undefined, ...p];
            const off = str(offset);
            return {
              text: `${op}(${withParam ? `${str(q)}, ` : ''}${inner.text} [${str(range) || '$__auto'}]${off ? ` offset ${off}` : ''})${groupingText(by, rest(p, fixed))}`,
              prec: ATOM,
            };
          },
        }),
      );
    }
  }
  return out;
}

function groupingText(by: 'by' | 'without' | undefined, labels: string[]): string {
  return by ? ` ${by} (${labels.join(', ')})` : '';
}

function aggregationDefs(): LogQLOperationDef[] {
  const out: LogQLOperationDef[] = [];
  for (const op of Object.keys(VECTOR_FUNCTIONS) as VectorOp[]) {
    const f = VECTOR_FUNCTIONS[op];
    const k: QueryBuilderOperationParamDef[] = f.param === 'required' ? [{ name: 'K', type: 'number' }] : [];
    const nk = k.length;
    const variants: Array<'by' | 'without' | undefined> = f.grouping === 'allowed' ? [undefined, 'by', 'without'] : [undefined];
    for (const by of variants) {
      out.push(
        def({
          id: by ? `__${op}_${by}` : op,
          name: by ? `${op[0]!.toUpperCase()}${op.slice(1)} ${by}` : `${op[0]!.toUpperCase()}${op.slice(1)}`,
          kind: 'outer',
          category: Category.aggregations,
          alternativesKey: `aggregation ${by ?? ''} ${nk}`,
          params: by ? [...k, { ...labelRest, optional: false }] : k,
          defaultParams: [...(nk ? [5] : []), ...(by ? [''] : [])],
          documentation: f.doc,
          render: (inner, p) => ({
            text: `${op}${groupingText(by, rest(p, nk))}${by ? ' ' : ''}(${nk ? `${str(p[0])}, ` : ''}${inner.text})`,
            prec: ATOM,
          }),
        }),
      );
    }
  }
  return out;
}

function functionDefs(): LogQLOperationDef[] {
  return [
    def({
      id: 'label_replace',
      name: 'Label replace',
      kind: 'outer',
      category: Category.functions,
      params: [
        { name: 'Destination label', type: 'string' },
        { name: 'Replacement', type: 'string' },
        { name: 'Source label', type: 'string' },
        { name: 'Regex', type: 'string' },
      ],
      defaultParams: ['', '$1', '', '(.*)'],
      documentation: 'Sets a label from a regex match on another label’s value (`$1` is the first group).',
      render: (inner, p) => ({
        text: `label_replace(${inner.text}, ${quote(p[0])}, ${quote(p[1])}, ${quote(p[2])}, ${quote(p[3])})`,
        prec: ATOM,
      }),
    }),
  ];
}

const BINARY_SCALAR: Array<[string, string, string]> = [
  ['__addition', 'Add scalar', '+'],
  ['__subtraction', 'Subtract scalar', '-'],
  ['__multiply_by', 'Multiply by scalar', '*'],
  ['__divide_by', 'Divide by scalar', '/'],
  ['__modulo', 'Modulo by scalar', '%'],
  ['__exponent', 'Exponent', '^'],
  ['__equal_to', 'Equal to', '=='],
  ['__not_equal_to', 'Not equal to', '!='],
  ['__greater_than', 'Greater than', '>'],
  ['__greater_or_equal', 'Greater or equal', '>='],
  ['__less_than', 'Less than', '<'],
  ['__less_or_equal', 'Less or equal', '<='],
];

export const SCALAR_OP_IDS: Record<string, string> = Object.fromEntries(BINARY_SCALAR.map(([id, , op]) => [op, id]));

function binaryDefs(): LogQLOperationDef[] {
  return BINARY_SCALAR.map(([id, name, op]) => {
    const comparison = COMPARISON_OPS.has(op);
    const prec = BINARY_PRECEDENCE[op]!;
    return def({
      id,
      name,
      kind: 'outer',
      category: Category.binaryOps,
      alternativesKey: comparison ? 'binary comparison' : 'binary scalar',
      params: comparison
        ? [
            { name: 'Value', type: 'number' },
            { name: 'Bool', type: 'boolean', description: 'Return 0 or 1 instead of dropping the series.' },
          ]
        : [{ name: 'Value', type: 'number' }],
      defaultParams: comparison ? [0, false] : [2],
      documentation: comparison
        ? `Keeps the samples \`${op}\` the value (with Bool: 1 where true, 0 where false).`
        : `Applies \`${op}\` with a number to every sample.`,
      render: (inner, p) => ({
        text: `${operand(inner, prec, 'left', op === '^')} ${op}${comparison && (p[1] === true || p[1] === 'true') ? ' bool' : ''} ${str(p[0]) || '0'}`,
        prec,
      }),
    });
  });
}

/** Joins another query with an operator (`a / b`): added to the query's binaryQueries, never to its operations. */
const NESTED_QUERY: LogQLOperationDef = {
  ...def({
    id: '__binary_query',
    name: 'Binary operation with query',
    kind: 'outer',
    category: Category.binaryOps,
    params: [],
    documentation: 'Combines this query with another one: `/`, `*`, `+`, `-`, comparisons, `and`, `or`, `unless`.',
    render: (inner) => inner,
  }),
  addOperationHandler: (_def, query) => ({
    ...query,
    binaryQueries: [
      ...(query.binaryQueries ?? []),
      { operator: '/', query: { labels: [...query.labels], operations: [...query.operations] } },
    ],
  }),
};

export const OPERATIONS: LogQLOperationDef[] = [
  ...lineFilterDefs(),
  ...formatDefs(),
  ...labelFilterDefs(),
  ...rangeDefs(),
  ...aggregationDefs(),
  ...functionDefs(),
  ...binaryDefs(),
  NESTED_QUERY,
];

export const OPERATION_BY_ID: ReadonlyMap<string, LogQLOperationDef> = new Map(OPERATIONS.map((d) => [d.id, d]));

export function operationDef(id: string): LogQLOperationDef | undefined {
  return OPERATION_BY_ID.get(id);
}

function rankOf(op: QueryBuilderOperation): number {
  return RANK[operationDef(op.id)?.kind ?? 'outer'];
}

/**
 * Adds an operation where it belongs: pipeline stages before unwrap, unwrap before the range function, the rest at
 * the end; an aggregation or binary operation on a log query first gets a `rate` (as Grafana's Loki builder does).
 */
export function addOperation(
  definition: QueryBuilderOperationDefinition,
  query: LogQLVisualQuery,
  _modeller?: VisualQueryModeller,
): LogQLVisualQuery {
  const d = operationDef(definition.id);
  const ops = [...query.operations];
  const newOp: QueryBuilderOperation = { id: definition.id, params: [...definition.defaultParams] };
  const rank = RANK[d?.kind ?? 'outer'];
  if (rank === RANK.outer) {
    if (!ops.some((o) => rankOf(o) >= RANK.range)) {
      ops.push({ id: 'rate', params: [...operationDef('rate')!.defaultParams] });
    }
    ops.push(newOp);
  } else {
    const at = ops.findIndex((o) => rankOf(o) > rank);
    ops.splice(at < 0 ? ops.length : at, 0, newOp);
  }
  return { ...query, operations: ops };
}
