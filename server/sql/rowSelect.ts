// The SELECT that fetches log rows: stream ids from the selector, a half-open time range, the line filters that push
// down, an order, a limit and an optional keyset cursor for paging through results that TypeScript stages thin out.
import type { LineFilter } from '../logql/ast';
import type { Dialect } from './dialect';
import { SqlWriter } from './dialect';
import type { Prefilter } from '../plan/prefilter';
import type { SqlParam } from './driver';
import { ENTRIES_TABLE } from '../schema/native';
import { literalAlternatives, splitAlternation } from './regexSplit';

export interface RowSelect {
  streamIds: bigint[];
  from: bigint; // inclusive
  to: bigint; // exclusive
  filters: LineFilter[];
  order: 'asc' | 'desc';
  limit?: number;
  /** continue after this row in `order` */
  after?: { ts: bigint; streamId: bigint; line: string };
  /** an extra condition implied by the TypeScript stages, over columns derived once per row (plan/prefilter.ts) */
  prefilter?: Prefilter;
}

export interface CompiledSql {
  text: string;
  params: SqlParam[];
}

/** SQL for one line filter (`or` alternatives included); an empty `|= ""` matches everything. */
export function lineFilterSql(w: SqlWriter, col: string, f: LineFilter): string {
  const d = w.dialect;
  const regex = f.op === '|~' || f.op === '!~';
  const parts = f.values.map((v) => {
    if (v.value === '') return 'TRUE';
    if (d.capabilities.textHoldsNul === false && v.value.includes('\0')) return 'FALSE'; // no stored line has one
    if (!regex) return d.contains(col, w.bind(v.value, 'string'));
    const literals = d.capabilities.re2Regex ? undefined : literalAlternatives(v.value);
    const alts = literals
      ? literals.map((l) =>
          l.caseInsensitive
            ? d.containsAsciiFold!(col, w.bind(l.text, 'string'))
            : d.contains(col, w.bind(l.text, 'string')),
        )
      : splitAlternation(v.value).map((p) => d.regexMatch(col, w.bind(p, 'string')));
    return alts.length === 1 ? alts[0] : `(${alts.join(' OR ')})`;
  });
  const any = parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
  return f.op === '!=' || f.op === '!~' ? `NOT ${any}` : any;
}

/** WHERE conditions shared by every statement that reads entries of selected streams. */
export function entriesWhere(
  w: SqlWriter,
  streamIds: bigint[],
  from: bigint,
  to: bigint,
  filters: LineFilter[],
): string[] {
  const conds = [
    w.dialect.inArray('stream_id', w.bind(streamIds, 'int64[]')),
    `ts >= ${w.bind(from, 'int64')}`,
    `ts < ${w.bind(to, 'int64')}`,
  ];
  for (const f of filters) conds.push(lineFilterSql(w, 'line', f));
  return conds;
}

export function compileRowSelect(d: Dialect, q: RowSelect): CompiledSql {
  const w = new SqlWriter(d);
  const conds = entriesWhere(w, q.streamIds, q.from, q.to, q.filters);
  const cmp = q.order === 'desc' ? '<' : '>';
  const line = d.byteOrder('line');
  if (q.after) {
    const ts = w.bind(q.after.ts, 'int64');
    const sid = w.bind(q.after.streamId, 'int64');
    const after = w.bind(q.after.line, 'string');
    conds.push(
      `(ts ${cmp} ${ts} OR (ts = ${ts} AND (stream_id ${cmp} ${sid} OR (stream_id = ${sid} AND ${line} ${cmp} ${after}))))`,
    );
  }
  const dir = q.order === 'desc' ? 'DESC' : 'ASC';
  const src = d.entries ?? ENTRIES_TABLE;
  const pre = q.prefilter?.(w);
  const from = !pre
    ? `${src} WHERE ${conds.join(' AND ')}`
    : 'rows' in pre
      ? `(${pre.rows(conds)}) AS q`
      : `(SELECT ${['stream_id', 'ts', 'line', 'metadata', ...pre.columns].join(', ')} FROM ${src} WHERE ${conds.join(' AND ')}) AS q WHERE ${pre.where}`;
  let text = `SELECT stream_id, ts, line, metadata FROM ${from} ORDER BY ts ${dir}, stream_id ${dir}, ${line} ${dir}`;
  if (q.limit !== undefined) text += ` LIMIT ${w.bind(q.limit, 'int64')}`;
  return { text, params: w.params };
}
