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
  if (rules.length === 0) {
    if (period <= 0n) return { groups: [], dropBefore };
    const oldest = streams.reduce<bigint | undefined>(
      (m, s) => (m === undefined || s.firstTs < m ? s.firstTs : m),
      undefined,
    );
    return { groups: [{ cutoff: nowNs - period, oldest }], dropBefore };
  }
  const byPeriod = new Map<bigint, { ids: bigint[]; oldest: bigint }>();
  for (const s of streams) {
    const p = policy.periodFor(s.labels);
    if (p <= 0n || s.firstTs >= nowNs - p) continue;
    const g = byPeriod.get(p);
    if (!g) byPeriod.set(p, { ids: [s.id], oldest: s.firstTs });
    else {
      g.ids.push(s.id);
      if (s.firstTs < g.oldest) g.oldest = s.firstTs;
    }
  }
  return { groups: [...byPeriod].map(([p, g]) => ({ cutoff: nowNs - p, ...g })), dropBefore };
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
