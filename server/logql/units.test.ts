import { describe, expect, it } from 'vitest';
import { formatDuration, parseBytes, parseDuration, parseGoDuration, parsePromDuration } from './units';

const S = 1_000_000_000n;

describe('durations', () => {
  it('Prometheus syntax', () => {
    expect(parsePromDuration('5m')).toBe(300n * S);
    expect(parsePromDuration('1h30m')).toBe(5400n * S);
    expect(parsePromDuration('1d')).toBe(86400n * S);
    expect(parsePromDuration('2w')).toBe(14n * 86400n * S);
    expect(parsePromDuration('1y')).toBe(365n * 86400n * S);
    expect(parsePromDuration('1s500ms')).toBe(1500_000_000n);
    expect(parsePromDuration('0')).toBe(0n);
    for (const bad of ['', '1.5h', '30m1h', '5us', 'm', '1x', '-5m', '5'])
      expect(() => parsePromDuration(bad), bad).toThrow();
  });
  it('Go syntax', () => {
    expect(parseGoDuration('1.5h')).toBe(5400n * S);
    expect(parseGoDuration('-5m')).toBe(-300n * S);
    expect(parseGoDuration('5us')).toBe(5000n);
    expect(parseGoDuration('5µs')).toBe(5000n);
    expect(parseGoDuration('7ns')).toBe(7n);
    expect(parseGoDuration('.5s')).toBe(S / 2n);
    expect(parseGoDuration('1h1h')).toBe(7200n * S);
    expect(() => parseGoDuration('1d')).toThrow();
    expect(() => parseGoDuration('5')).toThrow();
  });
  it('Loki: Prometheus first, then Go', () => {
    expect(parseDuration('1d')).toBe(86400n * S);
    expect(parseDuration('1.5h')).toBe(5400n * S);
    expect(parseDuration('250ms')).toBe(S / 4n);
  });
  it('formats like Prometheus', () => {
    expect(formatDuration(300n * S)).toBe('5m');
    expect(formatDuration(5400n * S)).toBe('1h30m');
    expect(formatDuration(0n)).toBe('0s');
    expect(formatDuration(14n * 86400n * S)).toBe('2w');
    expect(formatDuration(90n * 86400n * S)).toBe('90d');
    expect(formatDuration(1500_000_000n)).toBe('1s500ms');
    expect(formatDuration(1500n)).toBe('1us500ns');
    expect(formatDuration(-300n * S)).toBe('-5m');
    for (const ns of [1n, 1234567890123n, 5400n * S, 3n * S + 7n]) expect(parseDuration(formatDuration(ns))).toBe(ns);
  });
});

describe('bytes', () => {
  it('humanize.ParseBytes semantics', () => {
    expect(parseBytes('4KB')).toBe(4000);
    expect(parseBytes('4kB')).toBe(4000);
    expect(parseBytes('4KiB')).toBe(4096);
    expect(parseBytes('1.5MB')).toBe(1_500_000);
    expect(parseBytes('2MiB')).toBe(2 * 1024 * 1024);
    expect(parseBytes('1GB')).toBe(1e9);
    expect(parseBytes('100')).toBe(100);
    expect(parseBytes('100B')).toBe(100);
    expect(parseBytes('5 mb')).toBe(5e6);
    expect(parseBytes('3k')).toBe(3000);
    expect(parseBytes('1,000B')).toBe(1000);
    expect(parseBytes('1.5B')).toBe(1);
    for (const bad of ['', 'KB', '5XB', '1e3']) expect(() => parseBytes(bad), bad).toThrow();
  });
});
