// label_replace(v, dst, replacement, src, regex): Prometheus semantics — the regex is fully anchored RE2; on a match
// `dst` becomes the expanded replacement (Go's Regexp.Expand: `$1`, `${1}`, `$name`, `$$`), an empty result deletes
// `dst`; no match leaves the series as it was.
import type { LabelReplaceExpr } from '../logql/ast';
import type { Labels } from '../engine/types';
import { compileRE2 } from './re2';
import { labelsKey, type SeriesData } from './value';

/** Go's template expansion for regexp replacements. */
export function expandGo(template: string, match: RegExpExecArray, groupNames: string[] = []): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '$' || i + 1 >= template.length) {
      out += c;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    let end: number;
    if (next === '{') {
      const close = template.indexOf('}', i + 2);
      if (close < 0) {
        out += c;
        continue;
      }
      name = template.slice(i + 2, close);
      end = close;
    } else {
      let j = i + 1;
      while (j < template.length && /[A-Za-z0-9_]/.test(template[j])) j++;
      if (j === i + 1) {
        out += c;
        continue;
      }
      name = template.slice(i + 1, j);
      end = j - 1;
    }
    if (/^[0-9]+$/.test(name)) out += match[Number(name)] ?? '';
    else {
      const idx = groupNames.indexOf(name);
      out += (idx > 0 ? match[idx] : match.groups?.[name]) ?? '';
    }
    i = end;
  }
  return out;
}

export function evalLabelReplace(node: LabelReplaceExpr, input: SeriesData[], steps: number): SeriesData[] {
  const re = compileRE2(node.regex, { anchored: true });
  const merged = new Map<string, SeriesData>();
  for (const s of input) {
    const src = s.labels[node.src] ?? '';
    const m = re.exec(src);
    let labels: Labels = s.labels;
    if (m) {
      const value = expandGo(node.replacement, m, re.groupNames);
      labels = { ...s.labels };
      if (value === '') delete labels[node.dst];
      else labels[node.dst] = value;
    }
    const key = labelsKey(labels);
    const prev = merged.get(key);
    if (!prev) merged.set(key, { ...s, labels });
    else {
      for (let i = 0; i < steps; i++) {
        if (!s.present[i]) continue;
        prev.values[i] = s.values[i];
        prev.present[i] = 1;
      }
    }
  }
  return [...merged.values()];
}
