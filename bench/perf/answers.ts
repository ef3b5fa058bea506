// Answers in Loki's shape, to check that two sides of a table answer the same: the hand-written SQL of each engine
// against the DuckDB hand SQL's answers (hand_results.json, written by hand_sql/run.mjs), and our server's answers
// (fetched once through the HTTP API, as api_bench.py asks) against them too.
import type { SuiteQuery } from './tools';

export interface Rows {
  columns: string[];
  rows: unknown[][];
}

export type Loki =
  | { resultType: 'streams'; result: { stream: Record<string, string>; values: [string, string][] }[] }
  | { resultType: 'matrix'; result: { metric: Record<string, string>; values: [number, string][] }[] };

/** Rows → Loki's answer shape, exactly as run.mjs does it (log statements: labels_json, ts, line; metric
 *  statements: one column per label, t in seconds, v; NULL = label absent). */
export function toLoki({ columns, rows }: Rows): Loki {
  const col = (r: unknown[], name: string) => r[columns.indexOf(name)];
  if (columns.includes('line')) {
    const byStream = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
    for (const r of rows) {
      const stream = JSON.parse(String(col(r, 'labels_json'))) as Record<string, string>;
      const k = JSON.stringify(stream);
      if (!byStream.has(k)) byStream.set(k, { stream, values: [] });
      byStream.get(k)!.values.push([String(col(r, 'ts')), String(col(r, 'line'))]);
    }
    return { resultType: 'streams', result: [...byStream.values()] };
  }
  const labelCols = columns.filter((c) => c !== 't' && c !== 'v');
  const series = new Map<string, { metric: Record<string, string>; values: [number, string][] }>();
  for (const r of rows) {
    const metric: Record<string, string> = {};
    for (const c of labelCols) if (col(r, c) !== null) metric[c] = String(col(r, c));
    const k = JSON.stringify(metric);
    if (!series.has(k)) series.set(k, { metric, values: [] });
    series.get(k)!.values.push([Number(col(r, 't')), String(col(r, 'v'))]);
  }
  for (const s of series.values()) s.values.sort((a, b) => a[0] - b[0]);
  return { resultType: 'matrix', result: [...series.values()] };
}

const sortedJson = (o: Record<string, string>) =>
  JSON.stringify(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

/** Every sample/entry of an answer as one comparable line, in a canonical order. */
function canonical(a: Loki): string[] {
  const out: string[] = [];
  if (a.resultType === 'streams') {
    for (const s of a.result) for (const [ts, line] of s.values) out.push(`${ts} ${sortedJson(s.stream)} ${line}`);
  } else {
    for (const s of a.result) for (const [t, v] of s.values) out.push(`${sortedJson(s.metric)} ${t} ${v}`);
  }
  return out.sort();
}

/** Same answer? Values compare as numbers to 1e-9 relative (engines sum and interpolate floats in their own order). */
export function sameAnswer(got: Loki, want: Loki): string | undefined {
  if (got.resultType !== want.resultType) return `result type ${got.resultType}, want ${want.resultType}`;
  const g = canonical(got);
  const w = canonical(want);
  if (g.length !== w.length) return `${g.length} samples/entries, want ${w.length}`;
  for (let i = 0; i < g.length; i++) {
    if (g[i] === w[i]) continue;
    const [gk, gv] = [g[i].slice(0, g[i].lastIndexOf(' ')), Number(g[i].slice(g[i].lastIndexOf(' ') + 1))];
    const [wk, wv] = [w[i].slice(0, w[i].lastIndexOf(' ')), Number(w[i].slice(w[i].lastIndexOf(' ') + 1))];
    const close = Math.abs(gv - wv) <= 1e-9 * Math.max(Math.abs(gv), Math.abs(wv));
    if (got.resultType === 'streams' || gk !== wk || !close)
      return `first difference: got ${JSON.stringify(g[i]).slice(0, 200)}, want ${JSON.stringify(w[i]).slice(0, 200)}`;
  }
  return undefined;
}

/** Our server's answer to one suite query, asked the way api_bench.py asks it (start/end in ns, instant at end). */
export async function fetchAnswer(url: string, [, kind, query, extra]: SuiteQuery, start: string, hours: number) {
  const s = BigInt(Date.parse(start)) * 1_000_000n;
  const e = s + BigInt(hours * 3600) * 1_000_000_000n;
  const params =
    kind === 'instant'
      ? new URLSearchParams({ query, time: String(e) })
      : new URLSearchParams({ query, start: String(s), end: String(e), ...extra });
  const path = kind === 'instant' ? '/loki/api/v1/query' : '/loki/api/v1/query_range';
  const res = await fetch(`${url}${path}?${params}`);
  if (!res.ok) throw new Error(`${query}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  const data = ((await res.json()) as { data: { resultType: string; result: any[] } }).data;
  if (data.resultType === 'streams') return { resultType: 'streams', result: data.result } as Loki;
  const result = data.result.map((r) => ({ metric: r.metric, values: r.values ?? [r.value] }));
  return { resultType: 'matrix', result } as Loki;
}
