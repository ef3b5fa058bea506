// "This query will process about N lines / B": Grafana's Loki editor asks index/stats before the query runs so that
// an expensive query shows its cost while it is typed (the options row shows it, plugin-ui's QueryOptionGroup). Ours
// answers from the database (count and byte length of the selected streams' entries in the time range), so the
// numbers are exact for the selector.
import { formattedValueToString, getValueFormat } from '@grafana/data';
import { useEffect, useState } from 'react';

export interface IndexStats {
  streams: number;
  chunks: number;
  entries: number;
  bytes: number;
}

export function statsText(s: IndexStats): string {
  const bytes = formattedValueToString(getValueFormat('bytes')(s.bytes, 1));
  const lines = s.entries.toLocaleString('en-US');
  const streams = `${s.streams.toLocaleString('en-US')} stream${s.streams === 1 ? '' : 's'}`;
  return `This query will process about ${lines} line${s.entries === 1 ? '' : 's'} (${bytes}) from ${streams}.`;
}

/** The stats of `expr`, asked `debounceMs` after the last edit; undefined while typing or when there are none. */
export function useQueryStats(
  expr: string,
  stats: (expr: string) => Promise<IndexStats>,
  rangeKey?: string,
  debounceMs = 500,
): IndexStats | undefined {
  const [value, setValue] = useState<IndexStats | undefined>();
  useEffect(() => {
    setValue(undefined);
    if (!expr.trim()) {
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      // an invalid or incomplete query has no stats: the error is the editor's to show, not this hint's
      stats(expr).then(
        (s) => !cancelled && setValue(s),
        () => undefined,
      );
    }, debounceMs);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [expr, stats, rangeKey, debounceMs]);
  return value;
}
