// Code → Builder → Code over every query of the conformance set and of Loki's own test corpus: each query the builder
// can show must come back as the same query (compared as Loki's format_query prints both); the counts of
// representable queries are printed.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { formatQuery } from '../../../server/logql/format';
import { buildVisualQuery } from './parse';
import { renderQuery } from './render';

interface Case {
  id: string;
  params: { query?: string };
}

const cases = (
  JSON.parse(readFileSync(join(__dirname, '../../../tests/fixtures/conformance/expected.json'), 'utf8')) as {
    cases: Case[];
  }
).cases.filter((c) => typeof c.params.query === 'string');

function formatted(q: string): string {
  try {
    return formatQuery(q);
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

describe('conformance queries round-trip through the builder', () => {
  it('gives back the same query for every one it can show', () => {
    const refused: string[] = [];
    let shown = 0;
    for (const c of cases) {
      const q = c.params.query!;
      const res = buildVisualQuery(q);
      if (res.error !== undefined) {
        refused.push(`${c.id}: ${q}\n    ${res.error}`);
        continue;
      }
      shown++;
      expect(formatted(renderQuery(res.query)), `${c.id}: ${q}`).toBe(formatted(q));
    }
    console.log(
      `builder round trip: ${shown} of ${cases.length} conformance queries representable, ${refused.length} not:\n  ${refused.join('\n  ')}`,
    );
    expect(shown + refused.length).toBe(cases.length);
    expect(shown).toBeGreaterThanOrEqual(90);
  });
});

describe("Loki 3.7.6's test corpus round-trips through the builder", () => {
  it('gives back the same query for every valid one it can show, and names what it cannot', () => {
    const corpus = (
      JSON.parse(readFileSync(join(__dirname, '../../../tests/fixtures/loki-corpus/corpus.json'), 'utf8')) as {
        cases: { q: string; ok: boolean }[];
      }
    ).cases.filter((c) => c.ok);
    let shown = 0;
    const reasons = new Map<string, number>();
    for (const { q } of corpus) {
      const res = buildVisualQuery(q);
      if (res.error !== undefined) {
        const reason = res.error.replace(/: keep editing.*$/, '');
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        continue;
      }
      shown++;
      expect(formatted(renderQuery(res.query)), q).toBe(formatted(q));
    }
    const top = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 40);
    console.log(
      `builder round trip, Loki's test corpus: ${shown} of ${corpus.length} valid queries representable; not:\n  ${top.map(([r, n]) => `${n} × ${r}`).join('\n  ')}`,
    );
    expect(shown / corpus.length).toBeGreaterThan(0.8);
  });
});
