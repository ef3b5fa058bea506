// `serve` options for retention and the delete API, by Loki's names where it has them (limits_config.retention_period,
// retention_stream; compactor.compaction_interval, delete_request_cancel_period).
import { InvalidArgumentError, Option } from 'commander';
import type { CompactorOptions } from './compactor';
import { DEFAULT_CANCEL_PERIOD_MS, DEFAULT_COMPACTION_INTERVAL_MS } from './compactor';
import { parseRetentionPeriod, parseStreamRule, RetentionConfigError, type StreamRetentionRule } from './rules';

function argParser<T>(parse: (v: string) => T): (v: string) => T {
  return (v) => {
    try {
      return parse(v);
    } catch (e) {
      if (e instanceof RetentionConfigError) throw new InvalidArgumentError(e.message);
      throw e;
    }
  };
}

const msOf = (what: string, minMs = 0) =>
  argParser((v: string) => {
    const ms = Number(parseRetentionPeriod(v, what) / 1_000_000n);
    if (ms < minMs) throw new InvalidArgumentError(`${what} must be at least ${minMs / 1000}s`);
    return ms;
  });

export function retentionOptions(): Option[] {
  return [
    new Option(
      '--retention <period>',
      'delete entries older than this (30d, 744h; 0 keeps forever; Loki: retention_period)',
    )
      .argParser(argParser((v) => parseRetentionPeriod(v, '--retention')))
      .default(0n, '0 (keep forever)'),
    new Option(
      '--retention-stream <rule>',
      `per-stream retention, repeatable: SELECTOR:PERIOD[:PRIORITY], e.g. '{namespace="dev"}:24h:1' (Loki: retention_stream; the highest priority wins, then the shortest period)`,
    )
      .argParser((v: string, prev: StreamRetentionRule[] | undefined) => [
        ...(prev ?? []),
        argParser(parseStreamRule)(v),
      ])
      .default(undefined),
    new Option('--retention-interval <duration>', 'how often retention runs (Loki: compaction_interval)')
      .argParser(msOf('--retention-interval', 1000))
      .default(DEFAULT_COMPACTION_INTERVAL_MS, '10m'),
    new Option(
      '--delete-request-cancel-period <duration>',
      'how long a delete request (/loki/api/v1/delete) can be cancelled before it is applied; 0 applies it at once',
    )
      .argParser(msOf('--delete-request-cancel-period'))
      .default(DEFAULT_CANCEL_PERIOD_MS, '10m'),
  ];
}

/** The compactor settings among parsed `serve` options. */
export function compactorFromOptions(o: object): CompactorOptions {
  const src = o as {
    retention?: bigint;
    retentionStream?: StreamRetentionRule[];
    retentionInterval?: number;
    deleteRequestCancelPeriod?: number;
  };
  return {
    retention: { period: src.retention ?? 0n, streams: src.retentionStream ?? [] },
    intervalMs: src.retentionInterval ?? DEFAULT_COMPACTION_INTERVAL_MS,
    cancelPeriodMs: src.deleteRequestCancelPeriod ?? DEFAULT_CANCEL_PERIOD_MS,
  };
}
