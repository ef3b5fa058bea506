// otherSpellings against the TypeScript `| json` stage (the reference for Loki's parser) on generated lines: for every
// name a line does NOT list, SQL's reading — the value of the one top-level key spelled exactly as the name, or no
// label when there is none — must be Loki's. A name missed here would be a wrong answer on a stream marked clean.
import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../eval/pipeline';
import { otherSpellings } from './jsonSpellings';
import { prng } from '../../tests/engine/prng';

type Gen = () => number;
const pick = <T>(r: Gen, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

// keys as written: plain ones, ones that sanitise to a plain one, escapes, blanks, digits
const KEYS = [
  'a',
  'b',
  'a_b',
  'ab',
  'a b',
  ' a',
  'a ',
  'a-b',
  'a.b',
  'a\\u005fb',
  '\\u0061',
  'A',
  '1a',
  '_a',
  '',
  ' ',
  'é',
  'a\\"b',
  'a\\\\b',
  'ä_b',
];
const STRINGS = ['"x"', '"a"', '"{\\"a\\":1}"', '"a\\u005fb"', '"\\"a\\":"', '"}"', '""', '"é"', '"[1,{"'];

function ws(r: Gen): string {
  return r() < 0.2 ? pick(r, [' ', '\n', '\t ', '  ']) : '';
}

function value(r: Gen, depth: number): string {
  const x = r();
  if (x < 0.3) return pick(r, STRINGS);
  if (x < 0.5) return pick(r, ['1', '-0', '2.50', '1e3', '7']);
  if (x < 0.6) return pick(r, ['true', 'false', 'null']);
  if (x < 0.7) return `[${ws(r)}${r() < 0.5 ? object(r, depth + 1) : '1'}${ws(r)},${ws(r)}"a"]`;
  return depth < 3 ? object(r, depth + 1) : '0';
}

function object(r: Gen, depth: number): string {
  const n = Math.floor(r() * (depth === 0 ? 6 : 3));
  const pairs: string[] = [];
  for (let i = 0; i < n; i++) pairs.push(`${ws(r)}"${pick(r, KEYS)}"${ws(r)}:${ws(r)}${value(r, depth)}${ws(r)}`);
  return `{${pairs.join(',')}${n === 0 ? ws(r) : ''}}`;
}

/** The top-level pairs of a generated (valid) line: raw key → raw values, in order. */
function topLevel(line: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  // (JSON.parse would collapse duplicates and unescape keys: the pairs are walked raw)
  let i = line.indexOf('{') + 1;
  const skipWs = () => {
    while (/\s/.test(line[i] ?? '')) i++;
  };
  const str = () => {
    const s = i;
    i++;
    while (line[i] !== '"') i += line[i] === '\\' ? 2 : 1;
    i++;
    return line.slice(s, i);
  };
  const val = (): string => {
    skipWs();
    const s = i;
    const c = line[i];
    if (c === '"') str();
    else if (c === '{' || c === '[') {
      let depth = 0;
      do {
        if (line[i] === '"') {
          str();
          continue;
        }
        if (line[i] === '{' || line[i] === '[') depth++;
        if (line[i] === '}' || line[i] === ']') depth--;
        i++;
      } while (depth > 0);
    } else while (!/[,}\]\s]/.test(line[i] ?? ',')) i++;
    return line.slice(s, i);
  };
  skipWs();
  while (line[i] === '"') {
    const k = str().slice(1, -1);
    skipWs();
    i++; // ':'
    const v = val();
    out.set(k, [...(out.get(k) ?? []), v]);
    skipWs();
    if (line[i] === ',') i++;
    skipWs();
  }
  return out;
}

/** The label Loki's parser makes of a scalar JSON value written `raw` (undefined: none). */
function labelOf(raw: string): string | undefined {
  if (raw.startsWith('"')) return JSON.parse(raw) as string;
  if (raw === 'null' || raw.startsWith('{') || raw.startsWith('[')) return undefined;
  return raw;
}

describe('otherSpellings lists every name SQL would read otherwise than Loki', () => {
  const json = compilePipeline([{ kind: 'json', params: [], span: { from: 0, to: 0 } }]);
  const names = ['a', 'b', 'a_b', 'ab', 'A', '_a', 'a_b_a', 'a_a', 'b_a', 'a_a_b'];
  it('on 20,000 generated lines', () => {
    const r = prng(20261206);
    let checked = 0;
    for (let n = 0; n < 20_000; n++) {
      const line = object(r, 0);
      const spelled = new Set<string>();
      otherSpellings(line, spelled);
      const labels = json({ ts: 1n, line, stream: {}, metadata: undefined })!.labels;
      const top = topLevel(line);
      for (const name of names) {
        if (spelled.has(name)) continue;
        const values = top.get(name) ?? [];
        // what SQL reads: the first key spelled exactly as the name, else nothing
        const sql = values.length > 0 ? labelOf(values[0]!) : undefined;
        expect([line, name, labels[name]]).toEqual([line, name, sql]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100_000);
  });
});
