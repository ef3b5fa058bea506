import { describe, expect, it } from 'vitest';
import { openDriver } from '../sql/open';
import { Ingester } from '../ingest/ingester';
import { generateDemo, startTrickle } from './generate';
import { LABEL_NAME_RE } from '../ingest/decode';

const START = 1_795_168_800_000_000_000n; // 2026-11-20T10:00:00Z
const HOUR = 3_600_000_000_000n;

describe('generateDemo', () => {
  it('is deterministic and well-formed', () => {
    const opts = { start: START, end: START + HOUR, linesPerMinute: 600, seed: 7 };
    const a = generateDemo(opts);
    const b = generateDemo(opts);
    expect(a).toEqual(b);
    const n = a.reduce((k, s) => k + s.entries.length, 0);
    expect(n).toBe(36_000);
    expect(generateDemo({ ...opts, seed: 8 })).not.toEqual(a);
    const apps = new Set(a.map((s) => s.labels.app));
    expect([...apps].sort()).toEqual(['api-gateway', 'checkout', 'nginx', 'postgres', 'web', 'worker']);
    for (const s of a) {
      for (const k of Object.keys(s.labels)) expect(k).toMatch(LABEL_NAME_RE);
      for (let i = 1; i < s.entries.length; i++) expect(s.entries[i].ts >= s.entries[i - 1].ts).toBe(true);
      for (const e of s.entries) expect(e.ts >= START && e.ts < START + HOUR).toBe(true);
      if (s.labels.app === 'api-gateway')
        for (const e of s.entries.slice(0, 50)) expect(() => JSON.parse(e.line)).not.toThrow();
    }
    const lines = a.flatMap((s) => s.entries.map((e) => e.line));
    expect(lines.some((l) => /^[0-9a-f:]+:[0-9a-f]+ - - \[/.test(l) && l.includes('2001:db8:'))).toBe(true);
    expect(lines.some((l) => /duration=\d+ms/.test(l))).toBe(true);
    expect(lines.some((l) => /[^\x00-\x7f]/.test(l))).toBe(true);
    const errors = lines.filter((l) => /"level":"error"|level=error|ERROR/.test(l)).length;
    expect(errors / lines.length).toBeGreaterThan(0.01);
    expect(errors / lines.length).toBeLessThan(0.2);
  });

  // its speed is a benchmark line (bench/demo.ts), not an assertion: it failed whenever the machine was busy
  it('generates exactly the asked number of lines at a fractional rate, in order and in range', () => {
    const end = START + 24n * HOUR;
    const s = generateDemo({ start: START, end, linesPerMinute: 200_000 / 1440, seed: 1 });
    expect(s.reduce((k, x) => k + x.entries.length, 0)).toBe(200_000);
    for (const x of s) {
      for (let i = 1; i < x.entries.length; i++) expect(x.entries[i].ts >= x.entries[i - 1].ts).toBe(true);
      expect(x.entries[0].ts >= START && x.entries.at(-1)!.ts < end).toBe(true);
    }
  });

  it('trickle pushes new lines', async () => {
    const d = await openDriver('duckdb::memory:');
    const ing = new Ingester(d);
    const stop = startTrickle(ing, { linesPerSecond: 50, intervalMs: 100 });
    await new Promise((r) => setTimeout(r, 450));
    stop();
    await ing.flush();
    const [r] = await d.query<{ n: bigint }>('SELECT count(*) AS n FROM entries');
    expect(r.n).toBeGreaterThan(0n);
    await d.close();
  });
});
