// Generates random RE2 patterns and inputs (seeded) for the Go-oracle fixture.
// mulberry32: a small PRNG whose low bits are as random as its high bits (an LCG's are not)
let seed = 20261205;
const rnd = (n) => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) % n;
};
const atoms = [
  'a',
  'b',
  '.',
  '[ab]',
  '[^a]',
  '\\w',
  '\\W',
  '\\b',
  '\\B',
  '^',
  '$',
  'c',
  '(?i:A)',
  '\\d',
  '\\s',
  '[[:alpha:]]',
  'é',
  '(?i)b',
  '\\pL',
  '\\PL',
  '(?m:^)',
  '(?m:$)',
  '(?s:.)',
  '[a-c]',
  '\\A',
  '\\z',
];
const gen = (depth) => {
  const k = rnd(depth > 2 ? 3 : 8);
  if (k <= 2) return atoms[rnd(atoms.length)];
  if (k === 3) return `(${gen(depth + 1)})`;
  if (k === 4) return `${gen(depth + 1)}|${gen(depth + 1)}`;
  if (k === 5) return gen(depth + 1) + gen(depth + 1);
  if (k === 6) return `(?P<n${depth}x${rnd(100)}>${gen(depth + 1)})`;
  const q = ['*', '+', '?', '{1,2}', '*?', '+?', '{0,3}', '{2}', '??', '{2,}'][rnd(10)];
  // a quantifier on a group, or right on an atom (`a?`, `\\d+`)
  if (rnd(2) === 0) return `(?:${gen(depth + 1)})${q}`;
  const atom = atoms[rnd(atoms.length)];
  return /^[\^$]|^\\[bBAz]|^\(\?/.test(atom) ? `(?:${atom})${q}` : atom + q;
};
const alphabet = ['a', 'b', 'c', 'A', 'B', '1', ' ', '\n', '_', 'é', 'É'];
const out = [];
for (let i = 0; i < 1500; i++) {
  const p = (rnd(10) === 0 ? '(?U)' : '') + gen(0);
  for (let j = 0; j < 3; j++) {
    const s = Array.from({ length: rnd(8) }, () => alphabet[rnd(alphabet.length)]).join('');
    out.push([p, s, 0]);
  }
}
process.stdout.write(out.map((x) => JSON.stringify(x)).join('\n') + '\n');
