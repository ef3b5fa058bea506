// `serve`'s retention options parse into the compactor's settings; bad values are refused by commander with the
// offending text named.
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { compactorFromOptions, retentionOptions } from './options';

const DAY = 86_400_000_000_000n;

function parse(args: string[]) {
  const c = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  for (const o of retentionOptions()) c.addOption(o);
  c.parse(args, { from: 'user' });
  return compactorFromOptions(c.opts());
}

describe('retention options', () => {
  it('defaults to keeping everything, 10 min passes and a 10 min cancel period', () => {
    expect(parse([])).toEqual({
      retention: { period: 0n, streams: [] },
      intervalMs: 600_000,
      cancelPeriodMs: 600_000,
    });
  });
  it('reads a global period, repeated stream rules, the interval and the cancel period', () => {
    expect(
      parse([
        '--retention',
        '30d',
        '--retention-stream',
        '{namespace="dev"}:24h:1',
        '--retention-stream',
        '{app="audit"}:1y',
        '--retention-interval',
        '1m',
        '--delete-request-cancel-period',
        '0',
      ]),
    ).toEqual({
      retention: {
        period: 30n * DAY,
        streams: [
          { selector: '{namespace="dev"}', priority: 1, period: DAY },
          { selector: '{app="audit"}', priority: 0, period: 365n * DAY },
        ],
      },
      intervalMs: 60_000,
      cancelPeriodMs: 0,
    });
  });
  it('refuses bad values with a message naming them', () => {
    expect(() => parse(['--retention', '30 days'])).toThrow(/--retention: not a valid duration/);
    expect(() => parse(['--retention-stream', '{namespace="dev"}'])).toThrow(/SELECTOR:PERIOD/);
    expect(() => parse(['--retention-interval', '10ms'])).toThrow(/at least 1s/);
  });
});
