// `translate --explain`: each statement formatted for its dialect (sql-formatter), parameters inlined as literals,
// and every stage that runs in TypeScript with the reason the planner or the dialect gave for it.
import { format, type SqlLanguage } from 'sql-formatter';
import type { Translation } from '../../engine/types';
import { inlineParams, type DialectName } from './inline';

const LANGUAGE: Record<DialectName, SqlLanguage> = {
  duckdb: 'duckdb',
  postgres: 'postgresql',
  clickhouse: 'clickhouse',
};

/** Formatted SQL; the text as written when sql-formatter cannot parse it (it is a display aid only). */
export function formatSql(sql: string, dialect: DialectName): string {
  try {
    return format(sql, { language: LANGUAGE[dialect], tabWidth: 2, keywordCase: 'preserve' });
  } catch {
    return sql;
  }
}

/** `notes`: more header lines (how the plan was made) */
export function renderExplain(query: string, dialect: DialectName, t: Translation, notes: string[] = []): string {
  const out: string[] = [];
  out.push(`-- LogQL: ${query.replace(/\n/g, ' ')}`);
  for (const n of notes) out.push(`-- ${n}`);
  out.push(
    `-- dialect: ${dialect}; ${t.sql.length} SQL statement${t.sql.length === 1 ? '' : 's'}` +
      (t.sql.some((s) => s.params.length) ? ' (parameters inlined for reading; the server binds them)' : ''),
  );
  t.sql.forEach((s, i) => {
    out.push('');
    out.push(`-- statement ${i + 1} of ${t.sql.length}`);
    out.push(formatSql(inlineParams(s.text, s.params, dialect), dialect).trimEnd() + ';');
  });
  out.push('');
  if (t.tsStages.length === 0) {
    out.push('-- everything runs in the database');
  } else {
    out.push("-- runs in TypeScript after the database (with the planner's or the dialect's reason):");
    t.tsStages.forEach((r, i) => out.push(`--   ${i + 1}. ${r}`));
  }
  return out.join('\n') + '\n';
}
