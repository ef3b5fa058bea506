// Times as people read them: Go's RFC3339Nano, as logcli prints them.

/** ns → RFC3339 with nanoseconds, trailing zeros trimmed (Go's RFC3339Nano). */
export function formatNs(ns: bigint): string {
  let secs = ns / 1_000_000_000n;
  let frac = ns % 1_000_000_000n;
  if (frac < 0n) {
    frac += 1_000_000_000n;
    secs -= 1n;
  }
  const iso = new Date(Number(secs) * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  const f = frac === 0n ? '' : '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso}${f}Z`;
}

/** Loki's metric time (float seconds) → RFC3339 at millisecond precision, trailing zeros trimmed. */
export function formatSeconds(s: number): string {
  return formatNs(BigInt(Math.round(s * 1000)) * 1_000_000n);
}
