// Parsers of command-line values: listen addresses, times, positive integers.
import { InvalidArgumentError } from 'commander';
import { nowNs, parsePromDuration, parseTimestamp } from '../http/params';

export const DEFAULT_LISTEN = '127.0.0.1:3100';

/** HOST:PORT, :PORT or PORT → host and port. */
export function parseListen(s: string): { host: string; port: number } {
  const v = s.trim();
  let host: string;
  let portText: string;
  if (/^\d+$/.test(v)) {
    host = '127.0.0.1';
    portText = v;
  } else {
    const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(v);
    if (!m) throw new InvalidArgumentError(`expected HOST:PORT (e.g. ${DEFAULT_LISTEN}), got ${JSON.stringify(s)}`);
    host = m[1] ?? (m[2] || '0.0.0.0');
    portText = m[3]!;
  }
  const port = Number(portText);
  if (port > 65535) throw new InvalidArgumentError(`port ${port} is out of range`);
  return { host, port };
}

/**
 * A CLI time: anything the HTTP API accepts (ns, seconds, float seconds, RFC3339), `now`, `now-1h`, or a bare
 * duration meaning that long ago (`15m`).
 */
export function parseCliTime(s: string, now = nowNs()): bigint {
  const v = s.trim();
  if (v === 'now') return now;
  const rel = /^now-(.+)$/.exec(v);
  if (rel) return now - parsePromDuration(rel[1]!);
  if (/^\d+(?:ms|[smhdwy])/.test(v) && !/^\d+$/.test(v)) {
    try {
      return now - parsePromDuration(v);
    } catch {
      /* not a duration: a timestamp after all */
    }
  }
  return parseTimestamp(v, now);
}

export const intArg = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
  return Number(v);
};
