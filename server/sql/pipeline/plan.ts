// Which pipelines run in SQL and with which labels: the entry point from the engine to sql/pipeline/compile.ts.
import type { LabelFilterExpr, Stage } from '../../logql/ast';
import type { StreamInfo } from '../../engine/streams';
import { SqlWriter, type Dialect } from '../dialect';
import { compileSqlPipeline, NotInSql, type SqlPipeline } from './compile';
import { JsonSpellings } from '../jsonSpellings';

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
  /** outputs read only as numbers (an unwrapped label): last */
  numericOutputs: string[] = [],
  /** the consumer reads the final line (bytes_over_time, bytes_rate) */
  readsLine = false,
): ((w: SqlWriter) => SqlPipeline) | NotInSql {
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
      readsLine,
    };
    return compileSqlPipeline(pc, stages, [...outputs, ...numericOutputs]);
  };
  const probe = compile(new SqlWriter(dialect));
  if (probe instanceof NotInSql) return probe;
  return (w) => compile(w) as SqlPipeline;
}
