// "Kick start your query": starting points for log and metric queries, as in Grafana's Loki editor, written for the
// data source's real streams (a label and value read from the database) so that a chosen pattern returns lines at once.

export type PatternType = 'logs' | 'metric';

export interface QueryPattern {
  name: string;
  type: PatternType;
  /** LogQL for a selector such as `{app="api"}` */
  build(selector: string): string;
}

export const QUERY_PATTERNS: QueryPattern[] = [
  { name: 'All lines of a stream', type: 'logs', build: (s) => s },
  {
    name: 'Parse log lines with logfmt parser',
    type: 'logs',
    build: (s) => `${s} | logfmt | __error__=""`,
  },
  {
    name: 'Parse log lines with JSON parser',
    type: 'logs',
    build: (s) => `${s} | json | __error__=""`,
  },
  {
    name: 'Filter log lines and parse with JSON parser',
    type: 'logs',
    build: (s) => `${s} |= "error" | json | __error__=""`,
  },
  {
    name: 'Parse with logfmt and filter by a label',
    type: 'logs',
    build: (s) => `${s} | logfmt | __error__="" | level="error"`,
  },
  {
    name: 'Parse JSON and keep only some fields',
    type: 'logs',
    build: (s) => `${s} | json msg, status | __error__=""`,
  },
  {
    name: 'Reformat log lines',
    type: 'logs',
    build: (s) => `${s} | logfmt | line_format "{{.level}} {{.msg}}"`,
  },
  {
    name: 'Rename a label',
    type: 'logs',
    build: (s) => `${s} | logfmt | label_format severity=level`,
  },
  {
    name: 'Log lines per second, by level',
    type: 'metric',
    build: (s) => `sum by (level) (rate(${s} [$__auto]))`,
  },
  {
    name: 'Count of lines containing "error"',
    type: 'metric',
    build: (s) => `sum(count_over_time(${s} |= "error" [$__auto]))`,
  },
  {
    name: 'Top 10 streams by volume',
    type: 'metric',
    build: (s) => `topk(10, sum by (level) (bytes_over_time(${s} [$__auto])))`,
  },
  {
    name: 'Average of a JSON field',
    type: 'metric',
    build: (s) => `avg(avg_over_time(${s} | json | __error__="" | unwrap duration_ms [$__auto]))`,
  },
  {
    name: '99th percentile of a logfmt duration',
    type: 'metric',
    build: (s) =>
      `quantile_over_time(0.99, ${s} | logfmt | unwrap duration(duration) | __error__="" [$__auto]) by (level)`,
  },
  {
    name: 'Share of error lines',
    type: 'metric',
    build: (s) =>
      `sum(count_over_time(${s} |= "error" [$__auto])) / sum(count_over_time(${s} [$__auto]))`,
  },
];

/** `{label="value"}` from the first real label and value the database returns (skipping internal `__` labels). */
export async function sampleSelector(
  labelNames: () => Promise<string[]>,
  labelValues: (name: string) => Promise<string[]>,
): Promise<string> {
  const names = (await labelNames()).filter((n) => !n.startsWith('__'));
  const preferred = ['service_name', 'app', 'job', 'namespace'].find((n) => names.includes(n)) ?? names[0];
  if (!preferred) {
    return '{job=~".+"}';
  }
  const value = (await labelValues(preferred))[0];
  return value === undefined ? `{${preferred}=~".+"}` : `{${preferred}=${JSON.stringify(value)}}`;
}
