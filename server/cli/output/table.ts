// Aligned text columns. Written here rather than taken from a table package because the last column (a log line)
// must stay exactly as stored — not padded, wrapped or truncated — which cli-table3/table/columnify do not offer;
// display widths come from string-width (wide CJK characters, emoji, ANSI escapes).
import stringWidth from 'string-width';

export interface AlignOptions {
  /** column titles, printed first */
  header?: string[];
  /** columns to right-align (numbers) */
  right?: number[];
  /** spaces between columns */
  gap?: number;
}

/** Rows of cells → lines with every column but the last padded to its widest cell. */
export function alignRows(rows: string[][], o: AlignOptions = {}): string[] {
  const all = o.header ? [o.header, ...rows] : rows;
  const widths: number[] = [];
  for (const r of all) {
    for (let i = 0; i < r.length - 1; i++) widths[i] = Math.max(widths[i] ?? 0, stringWidth(r[i]!));
  }
  // a right-aligned last column is padded too, so numbers line up
  const last = Math.max(0, ...all.map((r) => r.length)) - 1;
  if (o.right?.includes(last)) widths[last] = Math.max(0, ...all.map((r) => stringWidth(r[last] ?? '')));
  const gap = ' '.repeat(o.gap ?? 2);
  const right = new Set(o.right ?? []);
  return all.map((r) =>
    r
      .map((cell, i) => {
        const w = widths[i];
        if (w === undefined) return cell;
        const pad = ' '.repeat(Math.max(0, w - stringWidth(cell)));
        if (right.has(i)) return pad + cell;
        return i === r.length - 1 ? cell : cell + pad;
      })
      .join(gap),
  );
}
