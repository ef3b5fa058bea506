// Side-by-side tables: ours (through the HTTP API) against hand-written SQL, with the targets of issue 9.

export interface Row {
  id: string;
  ours?: number;
  hand?: number;
  oursRows?: number;
  handRows?: number;
  /** a note after the row (a wrong hand answer, a failure) */
  note?: string;
}

export interface Targets {
  /** each query: ours ≤ perQuery × hand, or within `slackMs` of it where hand < `slackBelowMs` */
  perQuery?: { ratio: number; slackMs: number; slackBelowMs: number };
  total: number;
}

/** The targets of the DuckDB table (issue 9); PostgreSQL and chDB are held to their total only. */
export const DUCKDB_TARGETS: Targets = { perQuery: { ratio: 1.5, slackMs: 10, slackBelowMs: 20 }, total: 1.25 };
export const ENGINE_TARGETS: Targets = { total: 2 };

const ms = (x: number | undefined) => (x === undefined ? '—' : x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString());
const mark = (ok: boolean) => (ok ? 'ok' : 'OVER');

export function perQueryOk(ours: number, hand: number, t: NonNullable<Targets['perQuery']>): boolean {
  return ours <= t.ratio * hand || (hand < t.slackBelowMs && ours - hand <= t.slackMs);
}

/** Print the table; returns whether every target holds. */
export function printTable(title: string, rows: Row[], targets: Targets): boolean {
  const w = Math.max(18, ...rows.map((r) => r.id.length));
  const pq = targets.perQuery;
  const rule = pq ? `≤ ${pq.ratio}× or ≤ ${pq.slackMs} ms more when hand < ${pq.slackBelowMs} ms` : '';
  console.log(`\n${title}`);
  console.log(
    `${'query'.padEnd(w)} ${'ours ms'.padStart(9)} ${'hand ms'.padStart(9)} ${'ratio'.padStart(7)}  ${pq ? `target (${rule})` : ''}`,
  );
  let all = true;
  for (const r of rows) {
    let target = '';
    if (r.ours !== undefined && r.hand !== undefined && pq) {
      const ok = perQueryOk(r.ours, r.hand, pq);
      all &&= ok;
      target = mark(ok);
    }
    const ratio = r.ours !== undefined && r.hand ? (r.ours / r.hand).toFixed(2) : '—';
    const counts =
      r.oursRows !== undefined && r.handRows !== undefined && r.oursRows !== r.handRows
        ? `  rows differ: ours ${r.oursRows}, hand ${r.handRows}`
        : '';
    console.log(
      `${r.id.padEnd(w)} ${ms(r.ours).padStart(9)} ${ms(r.hand).padStart(9)} ${ratio.padStart(7)}  ${target}${counts}${r.note ? `  ${r.note}` : ''}`,
    );
  }
  const complete = rows.every((r) => r.ours !== undefined && r.hand !== undefined);
  const ours = rows.reduce((s, r) => s + (r.ours ?? 0), 0);
  const hand = rows.reduce((s, r) => s + (r.hand ?? 0), 0);
  const totalOk = complete && ours <= targets.total * hand;
  all &&= totalOk;
  console.log(
    `${'total'.padEnd(w)} ${ms(ours).padStart(9)} ${ms(hand).padStart(9)} ${(hand ? (ours / hand).toFixed(2) : '—').padStart(7)}  ` +
      `${complete ? mark(totalOk) : 'incomplete'} (target ≤ ${targets.total}×)`,
  );
  return all;
}
