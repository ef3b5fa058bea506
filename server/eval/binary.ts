// Binary operators between metric values, with Prometheus' vector matching (on / ignoring, group_left / right).
import type { BinaryExpr, BinaryOp } from '../logql/ast';
import type { Labels } from '../engine/types';
import { LogQLError } from '../logql/errors';
import { labelsKey, newSeries, type EvalValue, type SeriesData } from './value';

const COMPARISON = new Set<BinaryOp>(['==', '!=', '>', '>=', '<', '<=']);
const SET = new Set<BinaryOp>(['and', 'or', 'unless']);

export function applyOp(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return l / r;
    case '%':
      return l % r;
    case '^':
      return Math.pow(l, r);
    case '==':
      return l === r ? 1 : 0;
    case '!=':
      return l !== r ? 1 : 0;
    case '>':
      return l > r ? 1 : 0;
    case '>=':
      return l >= r ? 1 : 0;
    case '<':
      return l < r ? 1 : 0;
    case '<=':
      return l <= r ? 1 : 0;
    default:
      throw new Error(`not an arithmetic operator: ${op}`);
  }
}

export function evalBinary(
  node: BinaryExpr,
  left: EvalValue,
  right: EvalValue,
  steps: number,
  query: string,
): EvalValue {
  const op = node.op;
  if (left.kind === 'scalar' && right.kind === 'scalar') {
    const values = new Float64Array(steps);
    for (let i = 0; i < steps; i++) values[i] = applyOp(op, left.values[i], right.values[i]);
    return { kind: 'scalar', values };
  }
  if (left.kind === 'scalar' || right.kind === 'scalar') {
    if (SET.has(op))
      throw new LogQLError('check', `set operator "${op}" not allowed in binary scalar expression`, node.span, query);
    const swap = left.kind === 'scalar';
    const vec = (swap ? right : left) as { kind: 'vector'; series: SeriesData[] };
    const sc = (swap ? left : right) as { kind: 'scalar'; values: Float64Array };
    const out: SeriesData[] = [];
    for (const s of vec.series) {
      const res = newSeries(s.labels, steps);
      let any = false;
      for (let i = 0; i < steps; i++) {
        if (!s.present[i]) continue;
        const lv = swap ? sc.values[i] : s.values[i];
        const rv = swap ? s.values[i] : sc.values[i];
        const v = applyOp(op, lv, rv);
        if (COMPARISON.has(op) && !node.bool) {
          if (v === 0) continue;
          res.values[i] = s.values[i]; // the vector's own value is kept, whichever side it is on
        } else res.values[i] = v;
        res.present[i] = 1;
        any = true;
      }
      if (any) out.push(res);
    }
    return { kind: 'vector', series: out };
  }
  return vectorVector(node, left.series, right.series, steps, query);
}

function signature(labels: Labels, node: BinaryExpr): string {
  const m = node.matching;
  if (!m) return labelsKey(labels);
  const picked: Labels = {};
  if (m.on) {
    for (const k of m.labels) if (labels[k] !== undefined) picked[k] = labels[k];
  } else {
    for (const k of Object.keys(labels)) if (!m.labels.includes(k)) picked[k] = labels[k];
  }
  return labelsKey(picked);
}

function vectorVector(node: BinaryExpr, lhs: SeriesData[], rhs: SeriesData[], steps: number, query: string): EvalValue {
  const op = node.op;
  if (SET.has(op)) return setOp(node, lhs, rhs, steps);
  const group = node.matching?.group;
  // "one" side is the right for one-to-one and group_left, the left for group_right
  const oneSide = group?.side === 'right' ? lhs : rhs;
  const manySide = group?.side === 'right' ? rhs : lhs;
  const out = new Map<string, SeriesData>();
  for (let i = 0; i < steps; i++) {
    const bySig = new Map<string, SeriesData>();
    for (const s of oneSide) {
      if (!s.present[i]) continue;
      const sig = signature(s.labels, node);
      if (bySig.has(sig)) {
        throw new LogQLError(
          'execution',
          group
            ? `many-to-many matching not allowed: matching labels must be unique on one side`
            : `multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)`,
          node.span,
          query,
        );
      }
      bySig.set(sig, s);
    }
    const seen = new Set<string>();
    for (const s of manySide) {
      if (!s.present[i]) continue;
      const sig = signature(s.labels, node);
      const other = bySig.get(sig);
      if (!other) continue;
      const l = group?.side === 'right' ? other : s;
      const r = group?.side === 'right' ? s : other;
      let v = applyOp(op, l.values[i], r.values[i]);
      if (COMPARISON.has(op) && !node.bool) {
        if (v === 0) continue;
        v = l.values[i];
      }
      const labels = resultLabels(l.labels, r.labels, node);
      const key = labelsKey(labels);
      if (!group) {
        if (seen.has(key)) {
          throw new LogQLError(
            'execution',
            'multiple matches for labels: grouping labels must ensure unique matches',
            node.span,
            query,
          );
        }
        seen.add(key);
      }
      let res = out.get(key);
      if (!res) {
        res = newSeries(labels, steps);
        out.set(key, res);
      }
      res.values[i] = v;
      res.present[i] = 1;
    }
  }
  return { kind: 'vector', series: [...out.values()] };
}

function resultLabels(l: Labels, r: Labels, node: BinaryExpr): Labels {
  const m = node.matching;
  const group = m?.group;
  const many = group?.side === 'right' ? r : l;
  const one = group?.side === 'right' ? l : r;
  let out: Labels = { ...many };
  if (m && !group) {
    if (m.on) {
      const kept: Labels = {};
      for (const k of m.labels) if (out[k] !== undefined) kept[k] = out[k];
      out = kept;
    } else for (const k of m.labels) delete out[k];
  }
  if (group) {
    for (const k of group.include) {
      if (one[k] !== undefined && one[k] !== '') out[k] = one[k];
      else delete out[k];
    }
  }
  return out;
}

function setOp(node: BinaryExpr, lhs: SeriesData[], rhs: SeriesData[], steps: number): EvalValue {
  const out: SeriesData[] = [];
  const copyWhere = (s: SeriesData, keep: (i: number) => boolean): void => {
    const res = newSeries(s.labels, steps);
    let any = false;
    for (let i = 0; i < steps; i++) {
      if (s.present[i] && keep(i)) {
        res.values[i] = s.values[i];
        res.present[i] = 1;
        any = true;
      }
    }
    if (any) out.push(res);
  };
  const sigsAt = (side: SeriesData[]): Set<string>[] => {
    const sets = Array.from({ length: steps }, () => new Set<string>());
    for (const s of side) {
      const sig = signature(s.labels, node);
      for (let i = 0; i < steps; i++) if (s.present[i]) sets[i].add(sig);
    }
    return sets;
  };
  if (node.op === 'and') {
    const r = sigsAt(rhs);
    for (const s of lhs) {
      const sig = signature(s.labels, node);
      copyWhere(s, (i) => r[i].has(sig));
    }
  } else if (node.op === 'unless') {
    const r = sigsAt(rhs);
    for (const s of lhs) {
      const sig = signature(s.labels, node);
      copyWhere(s, (i) => !r[i].has(sig));
    }
  } else {
    const l = sigsAt(lhs);
    for (const s of lhs) copyWhere(s, () => true);
    for (const s of rhs) {
      const sig = signature(s.labels, node);
      copyWhere(s, (i) => !l[i].has(sig));
    }
  }
  return { kind: 'vector', series: mergeSameLabels(out, steps) };
}

/** `or` can produce the same label set from both sides at different steps: merge them into one series. */
function mergeSameLabels(series: SeriesData[], steps: number): SeriesData[] {
  const m = new Map<string, SeriesData>();
  for (const s of series) {
    const key = labelsKey(s.labels);
    const prev = m.get(key);
    if (!prev) {
      m.set(key, s);
      continue;
    }
    for (let i = 0; i < steps; i++) {
      if (s.present[i] && !prev.present[i]) {
        prev.values[i] = s.values[i];
        prev.present[i] = 1;
      }
    }
  }
  return [...m.values()];
}
