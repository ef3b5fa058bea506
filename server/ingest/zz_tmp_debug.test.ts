import { it } from 'vitest';
import { openDriver } from '../sql/open';
import { Ingester } from './ingester';
import { generateDemo } from '../demo/generate';
const START = 1_795_168_800_000_000_000n;
const HOUR = 3_600_000_000_000n;
it('dbg', async () => {
  const d = await openDriver('duckdb::memory:');
  const ing = new Ingester(d);
  const big = generateDemo({ start: START, end: START + 24n * HOUR, linesPerMinute: 1_000_000 / 1440, seed: 1 });
  console.log(await ing.push(big));
  console.log(await ing.push(big));
  const small = Array.from({ length: 100 }, (_, i) =>
    generateDemo({ start: START + 25n * HOUR + BigInt(i) * 60_000_000_000n, end: START + 25n * HOUR + BigInt(i + 1) * 60_000_000_000n, linesPerMinute: 1000, seed: 100 + i }),
  );
  console.log('generated');
  const t2 = performance.now();
  const rs = await Promise.all(small.map((s) => ing.push(s)));
  console.log('done', performance.now() - t2, rs.length);
}, 250_000);
