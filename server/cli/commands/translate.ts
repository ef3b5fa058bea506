// `translate <logql>`: the SQL a query compiles to for a dialect, without a database. The planner needs a stream
// catalog, so it plans over an empty in-memory DuckDB (stream ids then appear as an empty list); --db plans over a
// real database instead (its streams, or its existing-table mapping).
import { Command, Option } from 'commander';
import type { Engine } from '../../engine/engine';
import type { QueryRequest, Translation } from '../../engine/types';
import { defaultStep, parseDirection, parseLimit, parseSecondsOrDuration } from '../../http/params';
import { ask, openFailure } from '../errors';
import { renderExplain } from '../explain/render';
import type { DialectName } from '../explain/inline';
import type { CliIO } from '../io';
import { rangeOf, type RangeArgs } from './range';

export const DIALECT_CHOICES: DialectName[] = ['duckdb', 'postgres', 'clickhouse'];

interface TranslateArgs extends RangeArgs {
  db?: string;
  dialect?: DialectName;
  explain?: boolean;
  step?: string;
  limit: string;
  direction: string;
  time?: string;
}

function plainSql(t: Translation): string {
  let out = '';
  t.sql.forEach((s, i) => {
    if (t.sql.length > 1) out += `-- statement ${i + 1}\n`;
    const text = s.text.trimEnd();
    out += text + (text.endsWith(';') ? '\n' : ';\n');
    if (s.params.length) out += `-- params: ${JSON.stringify(s.params)}\n`;
  });
  if (t.tsStages.length) out += `-- in TypeScript after the database: ${t.tsStages.join('; ')}\n`;
  return out;
}

export function translateCommand(io: CliIO): Command {
  return new Command('translate')
    .description('print the SQL a LogQL query compiles to (nothing runs; no database needed)')
    .argument('<logql>', 'the LogQL query')
    .addOption(
      new Option('--dialect <name>', "SQL dialect to write (default: duckdb, or the --db engine's)").choices(
        DIALECT_CHOICES,
      ),
    )
    .option('--explain', 'readable plan: formatted SQL with parameters inlined, and what runs in TypeScript and why')
    .option('--db <url>', 'plan over this database (its streams or table mapping) instead of an empty one')
    .option('--from <time>', 'range start the plan assumes; default: --to minus --since')
    .option('--to <time>', 'range end the plan assumes; default: now')
    .addOption(new Option('--since <duration>', 'range length when --from is not given').default('1h', '1h'))
    .option('--step <step>', 'metric query step the plan assumes')
    .addOption(new Option('--limit <n>', 'log query limit the plan assumes').default('100', '100'))
    .addOption(new Option('--direction <dir>', 'log line order').choices(['forward', 'backward']).default('backward'))
    .action(async (query: string, o: TranslateArgs) => {
      const { start, end } = rangeOf(o);
      const req: Partial<QueryRequest> = {
        start,
        end,
        step: o.step !== undefined ? ask(() => parseSecondsOrDuration(o.step!), '--step') : defaultStep(start, end),
        limit: ask(() => parseLimit(o.limit), '--limit'),
        direction: ask(() => parseDirection(o.direction), '--direction'),
      };
      const db = o.db ?? 'duckdb::memory:';
      const [{ Engine: EngineClass }, { redact }] = await Promise.all([
        import('../../engine/engine'),
        import('../../sql/open'),
      ]);
      let engine: Engine;
      try {
        engine = await EngineClass.open(db);
      } catch (e) {
        throw openFailure(redact(db), e);
      }
      try {
        const t = await engine.translate(query, o.dialect, req);
        const dialect = (o.dialect ?? engine.dialect.name) as DialectName;
        const notes = o.db
          ? []
          : ['planned without a database: the matching stream ids are found at run time (here an empty list)'];
        io.stdout(o.explain ? renderExplain(query, dialect, t, notes) : plainSql(t));
      } finally {
        await engine.close();
      }
    });
}
