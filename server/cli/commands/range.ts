// The time range a command asks about, from --from/--to/--since (relative times resolve once, at start).
import { nowNs, parsePromDuration } from '../../http/params';
import { parseCliTime } from '../args';
import { ask, CliError } from '../errors';

export interface RangeArgs {
  from?: string;
  to?: string;
  since?: string;
}

export function rangeOf(o: RangeArgs, now = nowNs()): { start: bigint; end: bigint } {
  const end = o.to !== undefined ? ask(() => parseCliTime(o.to!, now), '--to') : now;
  const start =
    o.from !== undefined
      ? ask(() => parseCliTime(o.from!, now), '--from')
      : end - ask(() => parsePromDuration(o.since ?? '1h'), '--since');
  if (end < start) throw new CliError('--to must not be before --from', 2);
  return { start, end };
}
