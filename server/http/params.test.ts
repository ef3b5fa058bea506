import { describe, expect, it } from 'vitest';
import {
  ParamError,
  Params,
  defaultStep,
  parseBounds,
  parseDirection,
  parseInstantQuery,
  parseLimit,
  parsePromDuration,
  parseRangeQuery,
  parseRfc3339,
  parseSecondsOrDuration,
  parseSeriesMatchers,
  parseTimestamp,
} from './params';

const S = 1_000_000_000n;
const p = (q: string) => Params.fromUrl('/x?' + q);
const msg = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ParamError);
    return (e as Error).message;
  }
  throw new Error('did not throw');
};

describe('parseTimestamp', () => {
  it('takes ≤10-digit integers as seconds and longer ones as ns', () => {
    expect(parseTimestamp('1700000000', 0n)).toBe(1700000000n * S);
    expect(parseTimestamp('0', 0n)).toBe(0n);
    expect(parseTimestamp('1795168800000000000', 0n)).toBe(1795168800000000000n);
    expect(parseTimestamp('17000000000', 0n)).toBe(17000000000n); // 11 digits: ns
    expect(parseTimestamp('-5', 0n)).toBe(-5n * S);
  });
  it('takes floats as seconds rounded to ms', () => {
    expect(parseTimestamp('1700000000.5', 0n)).toBe(1700000000500000000n);
    expect(parseTimestamp('1700000000.123456', 0n)).toBe(1700000000123000000n);
    expect(parseTimestamp('1700000000.9996', 0n)).toBe(1700000001000000000n);
    expect(parseTimestamp('1.5', 0n)).toBe(1500000000n);
    expect(parseTimestamp('1700000000.', 0n)).toBe(1700000000n * S);
  });
  it('takes RFC3339 and RFC3339Nano', () => {
    expect(parseTimestamp('2026-11-20T10:00:00Z', 0n)).toBe(1795168800n * S);
    expect(parseTimestamp('2026-11-20T10:00:00.123456789Z', 0n)).toBe(1795168800123456789n);
    expect(parseTimestamp('2026-11-20T12:00:00+02:00', 0n)).toBe(1795168800n * S);
    expect(parseTimestamp('2026-11-20T10:00:00.5-00:30', 0n)).toBe(1795170600500000000n);
    expect(parseRfc3339('2026-02-30T10:00:00Z')).toBeUndefined();
    expect(parseRfc3339('2026-11-20 10:00:00Z')).toBeUndefined();
    expect(parseRfc3339('1969-12-31T23:59:59.5Z')).toBe(-500000000n);
  });
  it('returns the default for an empty value', () => {
    expect(parseTimestamp('', 42n)).toBe(42n);
  });
  it("fails with Go's ParseInt message", () => {
    expect(msg(() => parseTimestamp('abc', 0n))).toBe('strconv.ParseInt: parsing "abc": invalid syntax');
    expect(msg(() => parseTimestamp('99999999999999999999', 0n))).toBe(
      'strconv.ParseInt: parsing "99999999999999999999": value out of range',
    );
    expect(msg(() => parseTimestamp('15e8', 0n))).toBe('strconv.ParseInt: parsing "15e8": invalid syntax');
    expect(parseTimestamp('1.5e9', 0n)).toBe(1500000000n * S); // has a '.', so Go's ParseFloat takes it
  });
});

describe('durations', () => {
  it('parses Prometheus durations', () => {
    expect(parsePromDuration('30s')).toBe(30n * S);
    expect(parsePromDuration('1m')).toBe(60n * S);
    expect(parsePromDuration('1h30m')).toBe(5400n * S);
    expect(parsePromDuration('1d')).toBe(86400n * S);
    expect(parsePromDuration('1w')).toBe(7n * 86400n * S);
    expect(parsePromDuration('1y')).toBe(365n * 86400n * S);
    expect(parsePromDuration('250ms')).toBe(250_000_000n);
    expect(parsePromDuration('0')).toBe(0n);
    expect(() => parsePromDuration('1m1h')).toThrow('not a valid duration string: "1m1h"');
    expect(() => parsePromDuration('1.5m')).toThrow();
  });
  it('parses steps as float seconds or durations', () => {
    expect(parseSecondsOrDuration('300')).toBe(300n * S);
    expect(parseSecondsOrDuration('0.5')).toBe(500_000_000n);
    expect(parseSecondsOrDuration('1e3')).toBe(1000n * S);
    expect(parseSecondsOrDuration('30s')).toBe(30n * S);
    expect(parseSecondsOrDuration('1m')).toBe(60n * S);
    expect(parseSecondsOrDuration('-1')).toBe(-S);
    expect(msg(() => parseSecondsOrDuration('abc'))).toBe('cannot parse "abc" to a valid duration');
    expect(msg(() => parseSecondsOrDuration('1e300'))).toBe(
      'cannot parse "1e300" to a valid duration. It overflows int64',
    );
  });
  it('computes the default step', () => {
    expect(defaultStep(0n, 3600n * S)).toBe(14n * S);
    expect(defaultStep(0n, 7200n * S)).toBe(28n * S);
    expect(defaultStep(0n, 100n * S)).toBe(S);
    expect(defaultStep(0n, 0n)).toBe(S);
  });
});

describe('limit and direction', () => {
  it('parses and validates', () => {
    expect(parseLimit('')).toBe(100);
    expect(parseLimit('5000')).toBe(5000);
    expect(msg(() => parseLimit('0'))).toBe('limit must be a positive value');
    expect(msg(() => parseLimit('-3'))).toBe('limit must be a positive value');
    expect(msg(() => parseLimit('x'))).toBe('strconv.Atoi: parsing "x": invalid syntax');
    expect(parseDirection('')).toBe('backward');
    expect(parseDirection('FORWARD')).toBe('forward');
    expect(parseDirection('backward')).toBe('backward');
    expect(msg(() => parseDirection('up'))).toBe("invalid direction 'up'");
  });
});

describe('range and instant queries', () => {
  const now = 1795176000n * S;
  it('applies Loki defaults', () => {
    const r = parseRangeQuery(p('query=%7Bapp%3D%22api%22%7D'), now);
    expect(r).toEqual({
      query: '{app="api"}',
      start: now - 3600n * S,
      end: now,
      step: 14n * S,
      interval: 0n,
      limit: 100,
      direction: 'backward',
    });
  });
  it('takes start/end/step/limit/direction/interval', () => {
    const r = parseRangeQuery(
      p('query=x&start=1795168800000000000&end=1795176000000000000&step=300&limit=50&direction=forward&interval=1m'),
      now,
    );
    expect(r.start).toBe(1795168800n * S);
    expect(r.end).toBe(1795176000n * S);
    expect(r.step).toBe(300n * S);
    expect(r.limit).toBe(50);
    expect(r.direction).toBe('forward');
    expect(r.interval).toBe(60n * S);
  });
  it('defaults start relative to an end in the past, and to now when end is in the future', () => {
    expect(parseBounds(p('end=1000'), now).start).toBe(1000n * S - 3600n * S);
    expect(parseBounds(p(`end=${now + 7200n * S}`), now).start).toBe(now - 3600n * S);
    expect(parseBounds(p('end=1000&since=10m'), now).start).toBe(400n * S);
  });
  it('rejects bad input with Loki messages', () => {
    expect(msg(() => parseRangeQuery(p('start=abc'), now))).toBe(
      'could not parse \'start\' parameter: strconv.ParseInt: parsing "abc": invalid syntax',
    );
    expect(msg(() => parseRangeQuery(p('end=abc'), now))).toBe(
      'could not parse \'end\' parameter: strconv.ParseInt: parsing "abc": invalid syntax',
    );
    expect(msg(() => parseRangeQuery(p('start=2000&end=1000'), now))).toBe(
      'end timestamp must not be before or equal to start time',
    );
    expect(msg(() => parseRangeQuery(p('start=1000&end=2000&step=0'), now))).toBe(
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
    expect(msg(() => parseRangeQuery(p('start=1000&end=2000&step=-5s'), now))).toContain('cannot parse');
    expect(msg(() => parseRangeQuery(p('start=0&end=100000&step=1'), now))).toBe(
      'exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter',
    );
    expect(msg(() => parseRangeQuery(p('start=1000&end=2000&interval=-1'), now))).toBe('interval must be >= 0');
    expect(msg(() => parseRangeQuery(p('since=abc'), now))).toBe(
      'could not parse \'since\' parameter: not a valid duration string: "abc"',
    );
  });
  it('parses instant queries', () => {
    expect(parseInstantQuery(p('query=x'), now)).toEqual({ query: 'x', time: now, limit: 100, direction: 'backward' });
    expect(parseInstantQuery(p('query=x&time=1700000000.5'), now).time).toBe(1700000000500000000n);
    expect(msg(() => parseInstantQuery(p('query=x&time=nope'), now))).toBe(
      'strconv.ParseInt: parsing "nope": invalid syntax',
    );
  });
});

describe('Params', () => {
  it('puts form body values before the URL query and keeps repeats', () => {
    const q = Params.fromUrl('/x?a=url&m=1&m=2', new URLSearchParams('a=body'));
    expect(q.get('a')).toBe('body');
    expect(q.getAll('m')).toEqual(['1', '2']);
    expect(q.get('missing')).toBe('');
  });
  it('collects series matchers from match and match[]', () => {
    expect(
      parseSeriesMatchers(p('match[]=%7Bb%3D%221%22%7D&match=%7Ba%3D%221%22%7D&match[]=%7Bb%3D%221%22%7D')),
    ).toEqual(['{a="1"}', '{b="1"}']);
    expect(parseSeriesMatchers(p('match[]=%7B%20%7D'))).toEqual([]);
    expect(parseSeriesMatchers(p(''))).toEqual([]);
  });
});
