// Retention rules as Loki's limits_config has them: a global `retention_period` and `retention_stream` rules
// (selector, priority, period). Which rule applies to a stream follows Loki's TenantRetentionSnapshot
// (pkg/compactor/retention/expiration.go): every rule whose matchers all match the stream's labels is a candidate;
// the highest priority wins, and among equal priorities the shortest period. No matching rule → the global period.
// A period of 0 keeps data forever (Loki: "the 0 value should disable retention").
import type { Matcher } from '../logql/ast';
import { parse } from '../logql/check';
import { LogQLError } from '../logql/errors';
import { compileMatchers, type StreamMatcher } from '../engine/streams';
import type { Labels } from '../engine/types';
import { parsePromDuration } from '../http/params';

export interface StreamRetentionRule {
  /** the selector as written, e.g. `{namespace="dev"}` */
  selector: string;
  priority: number;
  /** ns; 0 = keep forever */
  period: bigint;
}

export interface RetentionConfig {
  /** ns; 0 (default) = keep forever unless a stream rule says otherwise */
  period: bigint;
  streams: StreamRetentionRule[];
}

export class RetentionConfigError extends Error {
  override readonly name = 'RetentionConfigError';
}

/** Loki's model.Duration (`30d`, `744h`, `1w`, `0`). */
export function parseRetentionPeriod(s: string, what = 'retention period'): bigint {
  try {
    return parsePromDuration(s.trim());
  } catch (e) {
    throw new RetentionConfigError(`${what}: ${(e as Error).message} (use e.g. 30d, 744h, 1w; 0 keeps forever)`);
  }
}

/** The matchers of a stream selector (a bare selector: no pipeline); throws RetentionConfigError naming the text. */
export function selectorMatchers(selector: string): Matcher[] {
  let expr;
  try {
    expr = parse(selector);
  } catch (e) {
    const msg = e instanceof LogQLError ? e.message : String(e);
    throw new RetentionConfigError(`retention stream selector ${JSON.stringify(selector)}: ${msg}`);
  }
  if (expr.kind !== 'log' || expr.pipeline.length > 0) {
    throw new RetentionConfigError(
      `retention stream selector ${JSON.stringify(selector)} must be a stream selector such as {namespace="dev"}`,
    );
  }
  return expr.matchers;
}

/**
 * `--retention-stream` value: `SELECTOR:PERIOD[:PRIORITY]`, e.g. `{namespace="dev"}:24h:1`. The selector ends at its
 * last `}` (label values may hold `:`), so the split is unambiguous. Priority defaults to 0 (Loki's default).
 */
export function parseStreamRule(text: string): StreamRetentionRule {
  const end = text.lastIndexOf('}');
  const rest = end < 0 ? '' : text.slice(end + 1);
  const m = /^:([^:]+)(?::(-?\d+))?$/.exec(rest);
  if (end < 0 || !m) {
    throw new RetentionConfigError(
      `retention stream rule ${JSON.stringify(text)}: expected SELECTOR:PERIOD[:PRIORITY], e.g. '{namespace="dev"}:24h:1'`,
    );
  }
  const selector = text.slice(0, end + 1).trim();
  selectorMatchers(selector);
  const priority = m[2] === undefined ? 0 : Number(m[2]);
  if (!Number.isSafeInteger(priority)) throw new RetentionConfigError(`retention stream rule priority ${m[2]}`);
  return { selector, priority, period: parseRetentionPeriod(m[1]!, `retention stream rule ${JSON.stringify(text)}`) };
}

interface CompiledRule {
  rule: StreamRetentionRule;
  match: StreamMatcher;
}

/** Decides each stream's retention period; compile once, ask per stream. */
export class RetentionPolicy {
  private readonly rules: CompiledRule[];

  constructor(readonly config: RetentionConfig) {
    this.rules = config.streams.map((rule) => ({ rule, match: compileMatchers(selectorMatchers(rule.selector)) }));
  }

  /** Whether anything can ever expire (a global period or a rule with a period). */
  get enabled(): boolean {
    return this.config.period > 0n || this.config.streams.some((r) => r.period > 0n);
  }

  /** The stream's period in ns (0 = keep forever), by Loki's rule order. */
  periodFor(labels: Labels): bigint {
    let best: StreamRetentionRule | undefined;
    for (const { rule, match } of this.rules) {
      if (!match(labels)) continue;
      if (best) {
        if (best.priority > rule.priority) continue;
        if (best.priority === rule.priority && best.period <= rule.period) continue;
      }
      best = rule;
    }
    return best ? best.period : this.config.period;
  }
}
