// The fuzz suite's seeded randomness: one seed replays a whole run (FUZZ_SEED). A 32-bit generator is all it needs
// (no shrinking or property machinery: the suite replays by seed and reports the request that failed), so it is
// mulberry32 written out rather than a dependency.

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** uniform in [0, 1) */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  /** one of the generators, called */
  oneOf<T>(fs: readonly (() => T)[]): T {
    return this.pick(fs)();
  }
  /** a short string from an alphabet that mixes the characters parsers trip on */
  text(max = 12): string {
    const n = this.int(0, max);
    let s = '';
    for (let i = 0; i < n; i++) s += this.pick(CHARS);
    return s;
  }
}

const CHARS = [
  ...'abcxyzAZ09_-.',
  ...' \t\n\r',
  ...'"\'`\\{}[]()|=!~<>,;:*+?^$#%&@/',
  '\u0000',
  '\u007f',
  'é',
  'ß',
  '☃',
  '\u200b',
  '\ud83d\ude00',
  '\ud800', // a lone surrogate: invalid UTF-8 once encoded
  '\ufffd',
  'İ',
];

/** The seed CI runs with: a run that lands must not depend on luck (exploring is for local runs). */
const CI_SEED = 2683054770;

/** FUZZ_SEED when set (to replay a run); under CI=true a fixed seed; else a fresh one (FUZZ_SEED=random in CI) */
export function fuzzSeed(): number {
  const s = process.env.FUZZ_SEED;
  if (s !== undefined && s !== '' && s !== 'random') {
    const n = Number(s);
    if (!Number.isInteger(n)) throw new Error(`FUZZ_SEED must be an integer or random, not ${JSON.stringify(s)}`);
    return n >>> 0;
  }
  if (process.env.CI === 'true' && s !== 'random') return CI_SEED;
  return (Math.random() * 2 ** 32) >>> 0;
}
