// The conformance set recorded against a real Loki (tests/fixtures/conformance, copied from shared/conformance):
// loading it, replaying a case through the engine and comparing the answer as check.py does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineApi, PushStream, QueryData } from '../../server/engine/types';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'conformance');

export interface Case {
  id: string;
  kind: string;
  path: string;
  params: Record<string, string>;
  status: number;
  data: any;
}

export function loadCases(): Case[] {
  return JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')).cases as Case[];
}

export function loadDataset(): PushStream[] {
  const raw = JSON.parse(readFileSync(join(FIXTURES, 'dataset.json'), 'utf8')) as {
    streams: { stream: Record<string, string>; values: [string, string][] }[];
  };
  return raw.streams.map((s) => ({
    labels: s.stream,
    entries: s.values.map(([ts, line]) => ({ ts: BigInt(ts), line })),
  }));
}

/** Replays a case through the engine; returns Loki-shaped `data` or throws the engine's error. */
export async function runCase(engine: EngineApi, c: Case): Promise<unknown> {
  const p = c.params;
  const path = c.path;
  if (path.endsWith('/labels')) return engine.labelNames(BigInt(p.start), BigInt(p.end), p.query);
  if (path.includes('/label/')) {
    const name = decodeURIComponent(path.split('/label/')[1].replace(/\/values$/, ''));
    return engine.labelValues(name, BigInt(p.start), BigInt(p.end), p.query);
  }
  if (path.endsWith('/series')) return engine.series([p['match[]']], BigInt(p.start), BigInt(p.end));
  const instant = path.endsWith('/query');
  const time = instant ? BigInt(p.time) : 0n;
  const res = await engine.query({
    query: p.query,
    start: instant ? time : BigInt(p.start),
    end: instant ? time : BigInt(p.end),
    step: p.step ? BigInt(Math.round(Number(p.step) * 1e9)) : undefined,
    instant,
    limit: p.limit ? Number(p.limit) : 100,
    direction: (p.direction as 'forward' | 'backward') ?? 'backward',
  });
  return toLokiJson(res.data);
}

/** The parts of Loki's JSON the comparison reads (times in seconds, values as strings). */
export function toLokiJson(d: QueryData): any {
  switch (d.resultType) {
    case 'streams':
      return {
        resultType: 'streams',
        result: d.result.map((s) => ({ stream: s.labels, values: s.entries.map((e) => [String(e.ts), e.line]) })),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: d.result.map((s) => ({ metric: s.metric, values: s.values.map(([t, v]) => [t / 1000, String(v)]) })),
      };
    case 'vector':
      return {
        resultType: 'vector',
        result: d.result.map((s) => ({ metric: s.metric, value: [s.value[0] / 1000, String(s.value[1])] })),
      };
    case 'scalar':
      return { resultType: 'scalar', result: [d.result[0] / 1000, String(d.result[1])] };
  }
}

const key = (m: Record<string, string> | undefined): string =>
  JSON.stringify(Object.fromEntries(Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));

function close(a: string | number, b: string | number): boolean {
  const fa = Number(a);
  const fb = Number(b);
  if (Number.isNaN(fa) || Number.isNaN(fb)) return Number.isNaN(fa) && Number.isNaN(fb);
  if (!Number.isFinite(fa) || !Number.isFinite(fb)) return fa === fb;
  return Math.abs(fa - fb) <= 1e-9 + 1e-6 * Math.max(Math.abs(fa), Math.abs(fb));
}

/** check.py's comparison, in TypeScript: undefined when equal, else what differs. */
export function compare(c: Case, got: any): string | undefined {
  const exp = c.data;
  if (c.kind === 'labels' || c.kind === 'values') {
    const e = [...(exp ?? [])].sort();
    const g = [...(got ?? [])].sort();
    return JSON.stringify(e) === JSON.stringify(g)
      ? undefined
      : `values differ: ${JSON.stringify(e).slice(0, 200)} vs ${JSON.stringify(g).slice(0, 200)}`;
  }
  if (c.kind === 'series') {
    const e = (exp ?? []).map(key).sort();
    const g = (got ?? []).map(key).sort();
    return JSON.stringify(e) === JSON.stringify(g) ? undefined : `series differ: ${e.length} vs ${g.length}`;
  }
  if (exp.resultType !== got?.resultType) return `resultType ${exp.resultType} vs ${got?.resultType}`;
  if (exp.resultType === 'streams') {
    const backward = (c.params.direction ?? 'backward') === 'backward';
    // Entries are compared in the order each stream returns them (Loki: time order in the query's direction), not
    // re-sorted. Only where streams differing in __error_details__ alone are merged (the details text is ours) are
    // the merged entries put in time order, stably, so entries with equal timestamps keep the order they came in.
    const norm = (streams: any[]): Map<string, string[]> => {
      const m = new Map<string, { parts: number; entries: [string, string][] }>();
      for (const s of streams) {
        const labels = { ...s.stream };
        delete labels.__error_details__;
        const k = key(labels);
        if (!m.has(k)) m.set(k, { parts: 0, entries: [] });
        const g = m.get(k)!;
        g.parts++;
        g.entries.push(...s.values.map((v: string[]) => [v[0], v[1]] as [string, string]));
      }
      const out = new Map<string, string[]>();
      for (const [k, { parts, entries }] of m) {
        if (parts > 1)
          entries.sort(
            (a, b) => (BigInt(a[0]) < BigInt(b[0]) ? -1 : BigInt(a[0]) > BigInt(b[0]) ? 1 : 0) * (backward ? -1 : 1),
          );
        out.set(
          k,
          entries.map((x) => JSON.stringify(x)),
        );
      }
      return out;
    };
    const e = norm(exp.result);
    const g = norm(got.result);
    const ek = [...e.keys()].sort();
    const gk = [...g.keys()].sort();
    if (JSON.stringify(ek) !== JSON.stringify(gk)) {
      return `stream label sets differ: missing ${ek.filter((k) => !g.has(k)).slice(0, 2)} extra ${gk.filter((k) => !e.has(k)).slice(0, 2)}`;
    }
    for (const k of ek) {
      const ev = e.get(k)!;
      const gv = g.get(k)!;
      if (JSON.stringify(ev) !== JSON.stringify(gv)) {
        const i = ev.findIndex((x, j) => x !== gv[j]);
        return `stream ${k}: ${ev.length} vs ${gv.length} entries, first diff ${ev[i]} vs ${gv[i]}`;
      }
    }
    return undefined;
  }
  if (exp.resultType === 'matrix' || exp.resultType === 'vector') {
    const field = exp.resultType === 'matrix' ? 'values' : 'value';
    const e = new Map<string, any>(exp.result.map((s: any) => [key(s.metric), s[field]]));
    const g = new Map<string, any>(got.result.map((s: any) => [key(s.metric), s[field]]));
    const ek = [...e.keys()].sort();
    const gk = [...g.keys()].sort();
    if (JSON.stringify(ek) !== JSON.stringify(gk)) {
      return `series differ: missing ${ek.filter((k) => !g.has(k)).slice(0, 2)} extra ${gk.filter((k) => !e.has(k)).slice(0, 2)} (${ek.length} vs ${gk.length})`;
    }
    for (const k of ek) {
      const ev = field === 'values' ? e.get(k) : [e.get(k)];
      const gv = field === 'values' ? g.get(k) : [g.get(k)];
      if (ev.length !== gv.length) return `series ${k}: ${ev.length} vs ${gv.length} points`;
      for (let i = 0; i < ev.length; i++) {
        if (Math.abs(Number(ev[i][0]) - Number(gv[i][0])) >= 0.001 || !close(ev[i][1], gv[i][1])) {
          return `series ${k}: point ${JSON.stringify(ev[i])} vs ${JSON.stringify(gv[i])}`;
        }
      }
    }
    if (exp.resultType === 'vector' && c.params.query.includes('sort')) {
      const eo = exp.result.map((s: any) => key(s.metric));
      const go = got.result.map((s: any) => key(s.metric));
      if (JSON.stringify(eo) !== JSON.stringify(go)) return 'sort order differs';
    }
    return undefined;
  }
  if (exp.resultType === 'scalar')
    return close(exp.result[1], got.result[1]) ? undefined : `scalar ${exp.result} vs ${got.result}`;
  return `unknown resultType ${exp.resultType}`;
}
