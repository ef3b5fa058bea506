// Which pipelines run in SQL and with which labels: the entry point from the engine to sql/pipeline/compile.ts.
import type { LabelFilterExpr, Stage } from '../../logql/ast';
import type { StreamInfo } from '../../engine/streams';
import { SqlWriter, type Dialect } from '../dialect';
import { compileSqlPipeline, NotInSql, type SqlPipeline } from './compile';
import { JsonSpellings } from '../jsonSpellings';
import { parsedLabelNames } from './pattern';

/** Names read only by numeric label filters (a JSON float's text may then differ from the line's). */
function numericOnly(stages: Stage[], outputs: string[], numericOutputs: string[]): Set<string> {
  const num = new Set<string>(numericOutputs);
  const other = new Set<string>(outputs);
  const walk = (f: LabelFilterExpr): void => {
    if (f.kind === 'and' || f.kind === 'or') {
      walk(f.left);
      walk(f.right);
    } else if (f.kind === 'number') num.add(f.name);
    else if ('name' in f) other.add(f.name);
  };
  for (const st of stages) if (st.kind === 'labelFilter') walk(st.expr);
  for (const n of other) num.delete(n);
  return num;
}

/** The pipeline of `stages` compiled for `outputs` against writer `w`, or why it cannot run in SQL. */
export function sqlPipelineFor(
  dialect: Dialect,
  stages: Stage[],
  streams: StreamInfo[],
  outputs: string[],
  opts: {
    /** outputs read only as numbers (an unwrapped label): last */
    numericOutputs?: string[];
    /** the consumer reads the final line (bytes_over_time, bytes_rate) */
    readsLine?: boolean;
    /** the consumer reads every label (fixedLabelNames): rows with structured metadata, which adds labels, are unsure */
    allLabels?: boolean;
    /** Loki's parser hints have the first parser run on every line and want its errors
     *  (PipelineContext.parserErrorsWanted) */
    parserErrorsWanted?: boolean;
  } = {},
): ((w: SqlWriter) => SqlPipeline) | NotInSql {
  const numericOutputs = opts.numericOutputs ?? [];
  const fns = dialect.parsers;
  if (!fns) return new NotInSql(dialect.noParsers ?? 'parsers run in TypeScript on this engine');
  const numeric = numericOnly(stages, outputs, numericOutputs);
  const compile = (w: SqlWriter) => {
    const pc = {
      w,
      fns,
      streams: streams.map((s) => s.labels),
      streamIds: streams.map((s) => s.id),
      quirky: streams.filter((s) => s.jsonQuirks).map((s) => s.id),
      spellings: new JsonSpellings(streams),
      numericOnly: numeric,
      readsLine: opts.readsLine,
      ...(opts.allLabels && { everyLabel: outputs }),
      parserErrorsWanted: opts.parserErrorsWanted,
    };
    return compileSqlPipeline(pc, stages, [...outputs, ...numericOutputs]);
  };
  const probe = compile(new SqlWriter(dialect));
  if (probe instanceof NotInSql) return probe;
  return (w) => compile(w) as SqlPipeline;
}

/**
 * Every label a row can carry after `stages`, when the query fixes the set: the streams' labels, the captures of
 * `pattern` and `regexp`, the labels of `json` with parameters, `label_format` targets. A consumer that reads a row's
 * whole label set (a range aggregation without grouping) can then group by these names in SQL. Undefined when a parser
 * sets labels the line names (json and logfmt without parameters, unpack), or a parsed label meets a stream label of
 * the same name (Loki names it `<name>_extracted` on those streams).
 */
export function fixedLabelNames(stages: Stage[], streams: StreamInfo[]): string[] | undefined {
  const own = new Set(streams.flatMap((s) => Object.keys(s.labels)));
  const parsed = new Set<string>();
  for (const st of stages) {
    switch (st.kind) {
      case 'pattern':
      case 'regexp':
        for (const n of parsedLabelNames(st)) parsed.add(n);
        break;
      case 'json':
      case 'logfmt':
        if (st.params.length === 0) return undefined;
        for (const p of st.params) parsed.add(p.label);
        break;
      case 'unpack':
        return undefined;
      case 'labelFormat':
        for (const op of st.ops) parsed.add(op.dst);
        break;
      default:
        break;
    }
  }
  if ([...parsed].some((n) => own.has(n))) return undefined;
  return [...new Set([...own, ...parsed])].sort();
}
