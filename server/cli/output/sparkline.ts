// A sparkline (▁▂▃▄▅▆▇█) of one series over the query's time axis. Written here instead of using the `sparkline` /
// `sparkly` packages because those take a dense array: a metric series has gaps (steps without samples) that must
// stay blank, NaN/±Inf values, and more steps than a terminal row has columns.

const BARS = '▁▂▃▄▅▆▇█';

/**
 * `times`: the axis (every step of the answer, ascending); `points`: this series' values by time. The axis is cut
 * into at most `width` equal buckets; a bucket shows the mean of its finite values, blank when it has none.
 */
export function sparkline(times: number[], points: Map<number, number>, width = 40): string {
  if (times.length === 0) return '';
  const n = Math.min(width, times.length);
  const sums = new Array<number>(n).fill(0);
  const counts = new Array<number>(n).fill(0);
  times.forEach((t, i) => {
    const v = points.get(t);
    if (v === undefined || !Number.isFinite(v)) return;
    const b = Math.min(n - 1, Math.floor((i * n) / times.length));
    sums[b] += v;
    counts[b]++;
  });
  const means = sums.map((s, i) => (counts[i] ? s / counts[i]! : undefined));
  const finite = means.filter((v): v is number => v !== undefined);
  if (finite.length === 0) return ' '.repeat(n);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return means
    .map((v) => {
      if (v === undefined) return ' ';
      if (hi === lo) return BARS[3];
      return BARS[Math.min(BARS.length - 1, Math.floor(((v - lo) / (hi - lo)) * BARS.length))];
    })
    .join('');
}
