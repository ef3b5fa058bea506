/** The AST without spans, bigints as strings: for deep equality in tests. */
export function strip(e: unknown): unknown {
  return JSON.parse(JSON.stringify(e, (k, v) => (k === 'span' ? undefined : typeof v === 'bigint' ? `${v}n` : v)));
}
