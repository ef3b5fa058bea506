// Loki's own test corpus: the LogQL strings of Loki 3.7.6's pkg/logql *_test.go files (scripts/loki-corpus/extract.mjs)
// with what Loki's parser said of each (accepted? and format_query's text, recorded by scripts/loki-corpus/build.sh
// from Loki's syntax.ParseExpr + syntax.Prettify). We must accept exactly what Loki accepts, and print the same text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatQuery } from './format';
import { LogQLError } from './errors';

const corpus = JSON.parse(
  readFileSync(new URL('../../tests/fixtures/loki-corpus/corpus.json', import.meta.url), 'utf8'),
) as { cases: { q: string; ok: boolean; pretty?: string; err?: string }[] };

function ours(q: string): { ok: true; text: string } | { ok: false; err: string } {
  try {
    return { ok: true, text: formatQuery(q) };
  } catch (e) {
    if (!(e instanceof LogQLError)) throw e;
    return { ok: false, err: e.message };
  }
}

describe("Loki 3.7.6's test corpus", () => {
  const results = corpus.cases.map((c) => ({ c, got: ours(c.q) }));

  it('holds enough strings to mean something', () => {
    expect(corpus.cases.length).toBeGreaterThan(1500);
    expect(corpus.cases.filter((c) => c.ok).length).toBeGreaterThan(1200);
  });

  it('accepts exactly what Loki accepts', () => {
    const disagree = results
      .filter(({ c, got }) => got.ok !== c.ok)
      .map(
        ({ c, got }) =>
          `${c.ok ? 'Loki accepts' : 'Loki rejects'} ${JSON.stringify(c.q)}: ${got.ok ? got.text : got.err}`,
      );
    expect(disagree).toEqual([]);
  });

  it("prints format_query text equal to Loki's on at least 99% of the strings both accept", () => {
    const both = results.filter(({ c, got }) => c.ok && got.ok);
    const differ = both.filter(({ c, got }) => got.ok && got.text !== c.pretty);
    const share = (both.length - differ.length) / both.length;
    expect(
      share,
      differ
        .slice(0, 10)
        .map(
          ({ c, got }) =>
            `${JSON.stringify(c.q)}\n  Loki: ${JSON.stringify(c.pretty)}\n  ours: ${JSON.stringify(got.ok && got.text)}`,
        )
        .join('\n'),
    ).toBeGreaterThanOrEqual(0.99);
  });
});
