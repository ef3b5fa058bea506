// Code → Builder → Code over every query of the conformance set: each query the builder can show must come back as
// the same query (compared as Loki's format_query prints both); the count of representable queries is printed.

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
