import { parseExpr } from '/work/main/server/logql/parse';
import { test } from 'vitest';
const qs = process.env.QS!.split('\n');
test('x', () => {
  for (const q of qs) {
    try { console.log(q, '=>', JSON.stringify(parseExpr(q), (k, v) => (k === 'span' ? undefined : typeof v === 'bigint' ? v.toString() : v))); }
    catch (e) { console.log(q, '=> ERR', (e as Error).message); }
  }
});
