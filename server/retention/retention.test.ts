// Retention (global period + Loki's retention_stream rules) on every engine, verified by counting what remains:
// lines one nanosecond past a stream's cutoff go, lines at the cutoff stay, other streams keep their own period.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../engine/engine';
import { enginesToTest } from '../../tests/engines';
import { applyRetention, expiryPlan } from './apply';
import { parseStreamRule, RetentionPolicy, RetentionConfigError, parseRetentionPeriod } from './rules';

const engines = await enginesToTest();
const DAY = 86_400_000_000_000n;
// a fixed "now" (2025-10-09T10:13:20Z, mid-day so that cutoffs fall inside day partitions)
const NOW = 1_760_004_800_000_000_000n;

describe('retention rules (Loki semantics)', () => {
  const policy = new RetentionPolicy({
    period: 30n * DAY,
    streams: [
      parseStreamRule('{env="dev"}:7d:1'),
      parseStreamRule('{app="b"}:60d:2'),
      parseStreamRule('{app="c"}:3d:1'),
      parseStreamRule('{app="c"}:5d:1'),
      parseStreamRule('{team=~"x|y"}:0:9'),
    ],
  });
  it('picks the highest priority, then the shortest period; no match gives the global period', () => {
    expect(policy.periodFor({ app: 'a', env: 'prod' })).toBe(30n * DAY);
    expect(policy.periodFor({ app: 'a', env: 'dev' })).toBe(7n * DAY);
    expect(policy.periodFor({ app: 'b', env: 'dev' })).toBe(60n * DAY); // priority 2 beats 1, longer or not
    expect(policy.periodFor({ app: 'c', env: 'dev' })).toBe(3n * DAY); // equal priorities: shortest period
    expect(policy.periodFor({ app: 'a', team: 'x' })).toBe(0n); // 0 = keep forever
  });
  it('rejects bad rules with a message naming them', () => {
    expect(() => parseStreamRule('{env="dev"}')).toThrow(RetentionConfigError);
    expect(() => parseStreamRule('{env="dev":7d')).toThrow(/SELECTOR:PERIOD/);
    expect(() => parseStreamRule('{env=~".*"}:7d')).toThrow(/selector/);
    expect(() => parseStreamRule('{env="dev"} |= "x":7d')).toThrow(/SELECTOR:PERIOD/);
    expect(() => parseStreamRule('{env="dev"}:7days')).toThrow(/not a valid duration/);
    expect(() => parseRetentionPeriod('-1d')).toThrow(RetentionConfigError);
    expect(parseStreamRule('{a="x:y}"}:1w:3')).toEqual({ selector: '{a="x:y}"}', priority: 3, period: 7n * DAY });
  });
  it('plans one statement for everything when there are no stream rules', () => {
    const p = new RetentionPolicy({ period: 30n * DAY, streams: [] });
    expect(expiryPlan(p, [], NOW)).toEqual({ groups: [{ cutoff: NOW - 30n * DAY }], dropBefore: NOW - 30n * DAY });
    // a keep-forever rule forbids dropping whole partitions
    expect(expiryPlan(policy, [], NOW).dropBefore).toBeUndefined();
  });
});

/** Entries per stream around its cutoff: old days, cutoff-1, cutoff, cutoff+1, recent. */
function entriesAround(cutoff: bigint): { ts: bigint; line: string }[] {
  const out: { ts: bigint; line: string }[] = [];
  for (let d = 95n; d >= 1n; d -= 4n) out.push({ ts: NOW - d * DAY, line: `day-${d}` });
  out.push({ ts: cutoff - 1n, line: 'just-before' }, { ts: cutoff, line: 'at-cutoff' });
  out.push({ ts: cutoff + 1n, line: 'just-after' }, { ts: NOW - 1n, line: 'recent' });
  return out;
}

describe.each(engines)('retention on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  const policy = new RetentionPolicy({
    period: 30n * DAY,
    streams: [parseStreamRule('{env="dev"}:7d:1'), parseStreamRule('{app="b"}:60d:2')],
  });
  const streams = [
    { labels: { app: 'a', env: 'prod' }, period: 30n * DAY },
    { labels: { app: 'a', env: 'dev' }, period: 7n * DAY },
    { labels: { app: 'b', env: 'dev' }, period: 60n * DAY },
  ];
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    await engine.push(streams.map((s) => ({ labels: s.labels, entries: entriesAround(NOW - s.period) })));
  });
  afterAll(async () => engine?.close());

  const remaining = async (selector: string): Promise<string[]> => {
    const res = await engine.query({
      query: selector,
      start: NOW - 200n * DAY,
      end: NOW + 1n,
      limit: 5000,
      direction: 'forward',
      instant: false,
    });
    if (res.data.resultType !== 'streams') throw new Error('expected streams');
    return res.data.result.flatMap((s) => s.entries.map((e) => e.line)).sort();
  };

  it.skipIf(!!skip)('removes exactly what each stream outlived, and nothing else', async () => {
    const before = await Promise.all(streams.map((s) => remaining(`{app="${s.labels.app}", env="${s.labels.env}"}`)));
    const res = await applyRetention(engine, policy, NOW);
    for (const [i, s] of streams.entries()) {
      const cutoff = NOW - s.period;
      const want = entriesAround(cutoff)
        .filter((e) => e.ts >= cutoff)
        .map((e) => e.line)
        .sort();
      const got = await remaining(`{app="${s.labels.app}", env="${s.labels.env}"}`);
      expect(got).toEqual(want);
      expect(got).toContain('at-cutoff');
      expect(got).not.toContain('just-before');
      expect(before[i]!.length).toBeGreaterThan(got.length);
    }
    if (te.name === 'clickhouse')
      expect(res.droppedPartitions).toBeGreaterThan(0); // days past 60d went whole
    else expect(res.deleted).toBe(before.flat().length - (await remaining('{app=~"a|b"}')).length);
    // a second pass finds nothing more to do
    const again = await applyRetention(engine, policy, NOW);
    expect(again.deleted).toBe(0);
    expect(again.droppedPartitions).toBe(0);
  });

  it.skipIf(!!skip)('narrows stream bounds so label APIs stop listing emptied ranges', async () => {
    if (te.name === 'clickhouse') return; // AggregatingMergeTree bounds only widen (docs/storage.md)
    const names = await engine.labelValues('env', NOW - 200n * DAY, NOW - 61n * DAY);
    expect(names).toEqual([]);
    expect(await engine.labelValues('env', NOW - 8n * DAY, NOW)).toEqual(['dev', 'prod']);
  });

  it.skipIf(!!skip)('keeps ingesting after a pass (streams emptied by retention come back)', async () => {
    await engine.push([{ labels: { app: 'a', env: 'dev' }, entries: [{ ts: NOW - 2n * DAY, line: 'new' }] }]);
    expect(await remaining('{app="a", env="dev"}')).toContain('new');
  });
});
