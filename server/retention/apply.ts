// A retention pass: which entries expire now, under the policy, grouped by cutoff so that each group is one
// statement (purge.ts expireEntries).
import type { StreamInfo } from '../engine/streams';
import type { RetentionPolicy } from './rules';
import { expireEntries, type ExpiryGroup, type RetentionResult } from './purge';
import type { MaintenanceTarget } from './target';

export interface ExpiryPlan {
  groups: ExpiryGroup[];
  /** every stream (also one pushed after the catalog was read) has expired below this: whole partitions may go */
  dropBefore?: bigint;
}

export function expiryPlan(policy: RetentionPolicy, streams: StreamInfo[], nowNs: bigint): ExpiryPlan {
  const { period, streams: rules } = policy.config;
  const dropBefore =
    period > 0n && rules.every((r) => r.period > 0n)
      ? nowNs - rules.reduce((m, r) => (r.period > m ? r.period : m), period)
      : undefined;
  // no stream rules: one statement over every stream, also those the catalog has not seen yet
  if (rules.length === 0) return { groups: period > 0n ? [{ cutoff: nowNs - period }] : [], dropBefore };
  const byPeriod = new Map<bigint, bigint[]>();
  for (const s of streams) {
    const p = policy.periodFor(s.labels);
    if (p <= 0n || s.firstTs >= nowNs - p) continue;
    let ids = byPeriod.get(p);
    if (!ids) byPeriod.set(p, (ids = []));
    ids.push(s.id);
  }
  return { groups: [...byPeriod].map(([p, ids]) => ({ cutoff: nowNs - p, ids })), dropBefore };
}

/** Apply the policy once to one database. */
export async function applyRetention(
  t: MaintenanceTarget,
  policy: RetentionPolicy,
  nowNs: bigint,
): Promise<RetentionResult> {
  if (!policy.enabled || t.mapped) return { deleted: 0, droppedPartitions: 0 };
  t.catalog.invalidate();
  const plan = expiryPlan(policy, await t.catalog.all(), nowNs);
  return expireEntries(t, plan.groups, plan.dropBefore);
}
