// The demo generator's speed (`serve --demo` builds its data at start-up): a benchmark line, not a test — the
// timing used to be an assertion in server/demo/generate.test.ts and failed whenever the machine was busy.
import { generateDemo } from '../server/demo';

const DAY = 86_400_000_000_000n;

/** Milliseconds to generate one million demo lines over a day (median of `runs`). */
export function benchDemoGenerator(runs = 3): { lines: number; ms: number } {
  const start = 1_795_168_800_000_000_000n;
  const times: number[] = [];
  let lines = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const s = generateDemo({ start, end: start + DAY, linesPerMinute: 1_000_000 / 1440, seed: 1 });
    times.push(performance.now() - t0);
    lines = s.reduce((k, x) => k + x.entries.length, 0);
  }
  times.sort((a, b) => a - b);
  return { lines, ms: times[Math.floor(times.length / 2)]! };
}

export function formatDemoBench(r: { lines: number; ms: number }): string {
  return `demo generator: ${r.lines.toLocaleString()} lines in ${r.ms.toFixed(0)} ms (${Math.round((r.lines / r.ms) * 1000).toLocaleString()} lines/s)`;
}
