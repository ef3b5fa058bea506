// The data source: every query goes to our backend (/api/ds/query), editor helpers through its resources. Everything
// Grafana's logs features ask of a data source is here: template variables and ad hoc filters, filter for/out from
// log details, logs volume and logs sample, log context, live tail over the backend stream, derived fields,
// annotations and variable queries.

import {
  CoreApp,
  FieldType,
  LiveChannelScope,
  LogRowContextQueryDirection,
  SupplementaryQueryType,
  dateTime,
  type AdHocVariableFilter,
  type AnnotationEvent,
  type AnnotationQuery,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceGetTagKeysOptions,
  type DataSourceGetTagValuesOptions,
  type DataSourceInstanceSettings,
  type DataSourceWithLogsContextSupport,
  type DataSourceWithQueryModificationSupport,
  type DataSourceWithSupplementaryQueriesSupport,
  type DataSourceWithToggleableQueryFiltersSupport,
  type LegacyMetricFindQueryOptions,
  type LogRowContextOptions,
  type LogRowModel,
  type MetricFindValue,
  type QueryFilterOptions,
  type QueryFixAction,
  type ScopedVars,
  type SupplementaryQueryOptions,
  type TimeRange,
  type ToggleFilterAction,
} from '@grafana/data';
import { DataSourceWithBackend, getGrafanaLiveSrv, getTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import { Observable, lastValueFrom, map, merge, of } from 'rxjs';

import { applyDerivedFields } from './data/derivedFields';
import { LanguageProvider, defaultRange, type TimeRangeNs } from './data/languageProvider';
import type { Explanation } from './components/explain/types';
import type { IndexStats } from './components/QueryStatsHint';
import {
  addFilter,
  addLineFilter,
  formatSelector,
  getMatchers,
  getParsers,
  getStreamSelectors,
  formattingStages,
  hasFilter,
  isLogsQuery,
  removeFilter,
  type Matcher,
} from './data/logql';
import { interpolateQuery } from './data/templating';
import { parseVariableQuery } from './data/variableQuery';
import { LogQLVariableSupport } from './components/VariableQueryEditor';
import { AnnotationQueryEditor, type LogQLAnnotationQuery } from './components/AnnotationQueryEditor';
import type { LogQLOptions, LogQLQuery, LogQLVariableQuery, Translation, ValidationResult } from './types';

export const LOGS_VOLUME_REFID_PREFIX = 'log-volume-';
export const LOGS_SAMPLE_REFID_PREFIX = 'log-sample-';
export const DEFAULT_MAX_LINES = 1000;
export const CONTEXT_LIMIT = 10;
export const CONTEXT_WINDOW_MS = 2 * 60 * 60 * 1000;

/** A short stable hash (FNV-1a) for channel paths. */
export function hashString(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}

function toNs(ms: number): string {
  return (BigInt(Math.floor(ms)) * 1_000_000n).toString();
}

export function timeRangeToNs(range: TimeRange | undefined): TimeRangeNs | undefined {
  if (!range) {
    return undefined;
  }
  return { start: toNs(range.from.valueOf()), end: toNs(range.to.valueOf()) };
}

/** The logs-volume query for a log query: counts by level over $__auto, the query Grafana's Loki sends. */
export function logsVolumeExpr(expr: string, field?: string): string {
  const groups = field ? field : 'level, detected_level';
  return `sum by (${groups}) (count_over_time(${expr.trim()} | drop __error__ [$__auto]))`;
}

/** The log query inside a metric query (first selector + its pipeline), for a logs sample. */
export function logQueryOf(expr: string): string | undefined {
  const selectors = getStreamSelectors(expr);
  if (selectors.length === 0) {
    return undefined;
  }
  if (isLogsQuery(expr)) {
    return expr;
  }
  // `count_over_time({a="b"} | json [5m])` → `{a="b"} | json`
  const inner = expr.match(/(\{[^}]*\}(?:[^[]*?))\s*\[[^\]]+\]/);
  if (inner) {
    return inner[1].replace(/\|\s*unwrap\s+[^|]*$/, '').trim();
  }
  return selectors[0];
}

export class DataSource
  extends DataSourceWithBackend<LogQLQuery, LogQLOptions>
  implements
    DataSourceWithLogsContextSupport<LogQLQuery>,
    DataSourceWithSupplementaryQueriesSupport<LogQLQuery>,
    DataSourceWithQueryModificationSupport<LogQLQuery>,
    DataSourceWithToggleableQueryFiltersSupport<LogQLQuery>
{
  override readonly languageProvider: LanguageProvider;
  readonly settings: DataSourceInstanceSettings<LogQLOptions>;

  constructor(
    instanceSettings: DataSourceInstanceSettings<LogQLOptions>,
    private readonly templateSrv: Pick<TemplateSrv, 'replace' | 'getVariables'> = getTemplateSrv(),
  ) {
    super(instanceSettings);
    this.settings = instanceSettings;
    this.languageProvider = new LanguageProvider({
      getResource: (path, params) => this.getResource(path, params as Record<string, string>),
    });
    this.variables = new LogQLVariableSupport(this);
    this.annotations = {
      QueryEditor: AnnotationQueryEditor,
      prepareAnnotation: (json: any) => {
        const anno = json as AnnotationQuery<LogQLAnnotationQuery>;
        // older form: expr at the top level
        const target =
          anno.target ?? ({ refId: 'Anno', expr: (json as { expr?: string }).expr ?? '' } as LogQLAnnotationQuery);
        return { ...anno, target: { ...target, queryType: 'range', refId: target.refId ?? 'Anno' } };
      },
      prepareQuery: (anno: AnnotationQuery<LogQLAnnotationQuery>) => {
        const t = anno.target;
        if (!t?.expr || !isLogsQuery(t.expr)) {
          return undefined; // annotations come from log queries
        }
        return { ...t, refId: t.refId ?? 'Anno', maxLines: t.maxLines ?? 100 };
      },
      processEvents: (anno: AnnotationQuery<LogQLAnnotationQuery>, frames: DataFrame[]) =>
        of(annotationEventsFromFrames(anno, frames)),
    };
  }

  get engine(): string {
    return this.settings.jsonData?.engine ?? 'duckdb';
  }

  override getDefaultQuery(_app: CoreApp): Partial<LogQLQuery> {
    return { expr: '', queryType: 'range', direction: 'backward' };
  }

  override filterQuery(query: LogQLQuery): boolean {
    return !query.hide && Boolean(query.expr?.trim());
  }

  override applyTemplateVariables(
    query: LogQLQuery,
    scopedVars: ScopedVars,
    filters?: AdHocVariableFilter[],
  ): LogQLQuery {
    return interpolateQuery(this.templateSrv, query, scopedVars, filters);
  }

  interpolateString(s: string, scopedVars?: ScopedVars): string {
    return this.templateSrv.replace(s, scopedVars);
  }

  override query(request: DataQueryRequest<LogQLQuery>): Observable<DataQueryResponse> {
    if (request.liveStreaming) {
      return this.runLiveQuery(request);
    }
    const targets = request.targets.map((t) => ({
      ...t,
      maxLines: t.maxLines ?? this.settings.jsonData?.maxLines ?? DEFAULT_MAX_LINES,
    }));
    return this.runBackendQuery({ ...request, targets }).pipe(
      map((res) => ({
        ...res,
        data: applyDerivedFields(res.data as DataFrame[], this.settings.jsonData?.derivedFields),
      })),
    );
  }

  /** The backend call, separated so tests can observe requests. */
  protected runBackendQuery(request: DataQueryRequest<LogQLQuery>): Observable<DataQueryResponse> {
    return super.query(request);
  }

  // ------------------------------------------------------------------ live tail (backend stream)

  /** Channel address of a live tail: `ds/<uid>/tail/<hash of the interpolated query>`, the query as channel data. */
  liveChannel(query: LogQLQuery, range?: TimeRange) {
    return {
      scope: LiveChannelScope.DataSource,
      stream: this.uid,
      namespace: this.uid,
      path: `tail/${hashString(`${query.expr}\u0000${query.maxLines ?? ''}`)}`,
      data: {
        ...query,
        ...(range ? { timeRange: { from: String(range.from.valueOf()), to: String(range.to.valueOf()) } } : {}),
      },
    };
  }

  runLiveQuery(request: DataQueryRequest<LogQLQuery>): Observable<DataQueryResponse> {
    const live = getGrafanaLiveSrv();
    const streams = request.targets
      .filter((t) => this.filterQuery(t))
      .map((t) => {
        const q = this.applyTemplateVariables(t, request.scopedVars, request.filters);
        return live
          .getDataStream({
            addr: this.liveChannel(q, request.range),
            key: `${request.requestId}-${t.refId}`,
            buffer: { maxLength: t.maxLines ?? DEFAULT_MAX_LINES },
          })
          .pipe(
            map((res) => ({
              ...res,
              data: applyDerivedFields(res.data as DataFrame[], this.settings.jsonData?.derivedFields),
            })),
          );
      });
    return streams.length ? merge(...streams) : of({ data: [] });
  }

  // ------------------------------------------------------------------ editor helpers (resources)

  setTimeRange(range: TimeRange | undefined): void {
    this.languageProvider.range = timeRangeToNs(range);
  }

  translate(expr: string): Promise<Translation> {
    return this.languageProvider.translate(this.templateSrv.replace(expr), this.engine);
  }

  /** Each stage of the query in words and where it runs (the explain resource, server/plan/explain.ts). */
  async explain(expr: string): Promise<Explanation> {
    const res = await this.getResource<{ data: Explanation }>('explain', {
      query: this.templateSrv.replace(expr),
      dialect: this.engine,
    });
    return res.data;
  }

  /** What a query would read over the editor's time range: Loki's index/stats (streams, chunks, entries, bytes). */
  indexStats(expr: string): Promise<IndexStats> {
    const range = this.languageProvider.range ?? defaultRange();
    return this.getResource<IndexStats>('index/stats', { query: this.templateSrv.replace(expr), ...range });
  }

  validate(expr: string): Promise<ValidationResult | undefined> {
    return this.languageProvider.validate(expr);
  }

  // ------------------------------------------------------------------ ad hoc filters

  override async getTagKeys(options?: DataSourceGetTagKeysOptions<LogQLQuery>): Promise<MetricFindValue[]> {
    this.setTimeRange(options?.timeRange);
    const names = await this.languageProvider.labelNames();
    return names.map((text) => ({ text }));
  }

  override async getTagValues(options: DataSourceGetTagValuesOptions<LogQLQuery>): Promise<MetricFindValue[]> {
    this.setTimeRange(options.timeRange);
    const values = await this.languageProvider.labelValues(options.key);
    return values.map((text) => ({ text }));
  }

  // ------------------------------------------------------------------ filter for / out from log details

  getSupportedQueryModifications(): string[] {
    return [
      'ADD_FILTER',
      'ADD_FILTER_OUT',
      'ADD_STRING_FILTER',
      'ADD_STRING_FILTER_OUT',
      'ADD_LINE_FILTER',
      'ADD_LINE_FILTER_OUT',
    ];
  }

  override modifyQuery(query: LogQLQuery, action: QueryFixAction): LogQLQuery {
    const expr = query.expr ?? '';
    const opts = action.options ?? {};
    let out = expr;
    switch (action.type) {
      case 'ADD_FILTER':
      case 'ADD_FILTER_OUT': {
        if (!opts.key || opts.value === undefined) {
          break;
        }
        const op = action.type === 'ADD_FILTER' ? '=' : '!=';
        const opposite: Matcher = { label: opts.key, op: op === '=' ? '!=' : '=', value: opts.value };
        out = addFilter(
          removeFilter(expr, opposite),
          { label: opts.key, op, value: opts.value },
          this.streamLabelHint(opts.key, action.frame),
        );
        break;
      }
      case 'ADD_STRING_FILTER':
      case 'ADD_LINE_FILTER':
        out = opts.value ? addLineFilter(expr, opts.value, '|=') : expr;
        break;
      case 'ADD_STRING_FILTER_OUT':
      case 'ADD_LINE_FILTER_OUT':
        out = opts.value ? addLineFilter(expr, opts.value, '!=') : expr;
        break;
    }
    return { ...query, expr: out };
  }

  /** A frame may tell whether a label is a stream label (Loki's labelTypes: I = indexed). */
  private streamLabelHint(key: string, frame?: DataFrame): { streamLabel?: boolean } {
    const types = frame?.fields.find((f) => f.name === 'labelTypes');
    const first = types?.values[0] as Record<string, string> | undefined;
    if (first && key in first) {
      return { streamLabel: first[key] === 'I' };
    }
    return {};
  }

  toggleQueryFilter(query: LogQLQuery, filter: ToggleFilterAction): LogQLQuery {
    const { key, value } = filter.options;
    if (!key || value === undefined) {
      return query;
    }
    const op = filter.type === 'FILTER_FOR' ? '=' : '!=';
    const m: Matcher = { label: key, op, value };
    const expr = query.expr ?? '';
    if (hasFilter(expr, m)) {
      return { ...query, expr: removeFilter(expr, m) };
    }
    const opposite: Matcher = { label: key, op: op === '=' ? '!=' : '=', value };
    return { ...query, expr: addFilter(removeFilter(expr, opposite), m, this.streamLabelHint(key, filter.frame)) };
  }

  queryHasFilter(query: LogQLQuery, filter: QueryFilterOptions): boolean {
    return hasFilter(query.expr ?? '', { label: filter.key, op: '=', value: filter.value });
  }

  // ------------------------------------------------------------------ logs volume / logs sample

  getSupportedSupplementaryQueryTypes(): SupplementaryQueryType[] {
    return [SupplementaryQueryType.LogsVolume, SupplementaryQueryType.LogsSample];
  }

  getSupplementaryQuery(options: SupplementaryQueryOptions, query: LogQLQuery): LogQLQuery | undefined {
    const expr = query.expr?.trim() ?? '';
    if (!expr || getStreamSelectors(expr).length === 0) {
      return undefined;
    }
    if (options.type === SupplementaryQueryType.LogsVolume) {
      if (!isLogsQuery(expr)) {
        return undefined;
      }
      return {
        refId: `${LOGS_VOLUME_REFID_PREFIX}${query.refId}`,
        expr: logsVolumeExpr(expr, options.field),
        queryType: 'range',
        supportingQueryType: 'logsVolume',
        legendFormat: options.field ? `{{ ${options.field} }}` : '{{ level }}{{ detected_level }}',
      };
    }
    if (options.type === SupplementaryQueryType.LogsSample) {
      if (isLogsQuery(expr)) {
        return undefined;
      }
      const logExpr = logQueryOf(expr);
      return logExpr
        ? {
            refId: `${LOGS_SAMPLE_REFID_PREFIX}${query.refId}`,
            expr: logExpr,
            queryType: 'range',
            maxLines: options.limit ?? 100,
            supportingQueryType: 'logsSample',
          }
        : undefined;
    }
    return undefined;
  }

  getSupplementaryRequest(
    type: SupplementaryQueryType,
    request: DataQueryRequest<LogQLQuery>,
    options?: SupplementaryQueryOptions,
  ): DataQueryRequest<LogQLQuery> | undefined {
    const opts = options ?? ({ type } as SupplementaryQueryOptions);
    const targets = request.targets
      .filter((t) => !t.hide)
      .map((t) => this.getSupplementaryQuery({ ...opts, type } as SupplementaryQueryOptions, t))
      .filter((t): t is LogQLQuery => Boolean(t));
    return targets.length ? { ...request, targets } : undefined;
  }

  // ------------------------------------------------------------------ log context

  /** The stream of a row: its labels that are stream labels (all of them when the query has no parser). */
  private streamSelectorOf(row: LogRowModel, origQuery?: LogQLQuery): string {
    const labels = row.labels ?? {};
    const expr = origQuery?.expr ?? '';
    let keys = Object.keys(labels);
    if (expr && getParsers(expr).length > 0) {
      const inSelector = new Set(getStreamSelectors(expr).flatMap((s) => getMatchers(s).map((m) => m.label)));
      keys = keys.filter((k) => inSelector.has(k));
    }
    const matchers: Matcher[] = keys
      .filter((k) => !k.startsWith('__'))
      .sort()
      .map((k) => ({ label: k, op: '=', value: labels[k] }));
    if (matchers.length === 0 && expr) {
      return getStreamSelectors(expr)[0] ?? '{}';
    }
    return formatSelector(matchers);
  }

  async getLogRowContextQuery(
    row: LogRowModel,
    options?: LogRowContextOptions,
    origQuery?: LogQLQuery,
  ): Promise<LogQLQuery | null> {
    const selector = this.streamSelectorOf(row, origQuery);
    // keep parsers and formatters (so the lines look the same) but not line or label filters
    const kept = origQuery?.expr && isLogsQuery(origQuery.expr) ? formattingStages(origQuery.expr) : '';
    return {
      refId: `log-context-${row.uid}`,
      expr: kept ? `${selector} ${kept}` : selector,
      queryType: 'range',
      maxLines: options?.limit ?? CONTEXT_LIMIT,
      direction: options?.direction === LogRowContextQueryDirection.Forward ? 'forward' : 'backward',
      supportingQueryType: 'logContext',
    };
  }

  async getLogRowContext(
    row: LogRowModel,
    options?: LogRowContextOptions,
    origQuery?: LogQLQuery,
  ): Promise<DataQueryResponse> {
    const query = await this.getLogRowContextQuery(row, options, origQuery);
    if (!query) {
      return { data: [] };
    }
    const window = options?.timeWindowMs ?? CONTEXT_WINDOW_MS;
    const t = row.timeEpochMs;
    const forward = query.direction === 'forward';
    // backward: lines up to (and including) the row's time; forward: from the row's time on
    const from = dateTime(forward ? t : t - window);
    const to = dateTime(forward ? t + window : t + 1);
    const range: TimeRange = { from, to, raw: { from, to } };
    const request = {
      requestId: `log-context-${row.uid}-${query.direction}`,
      interval: '1s',
      intervalMs: 1000,
      range,
      scopedVars: options?.scopedVars ?? {},
      targets: [query],
      timezone: 'UTC',
      app: CoreApp.Explore,
      startTime: Date.now(),
    } as DataQueryRequest<LogQLQuery>;
    return lastValueFrom(this.query(request));
  }

  // ------------------------------------------------------------------ variables

  override async metricFindQuery(
    query: string | LogQLVariableQuery,
    options?: LegacyMetricFindQueryOptions & { range?: TimeRange },
  ): Promise<MetricFindValue[]> {
    const q = parseVariableQuery(query);
    const scoped = options?.scopedVars ?? {};
    if (options?.range) {
      this.setTimeRange(options.range);
    }
    const stream = q.stream ? this.templateSrv.replace(q.stream, scoped, 'regex') : undefined;
    switch (q.type) {
      case 'labelNames':
        return (await this.languageProvider.labelNames(stream)).map((text) => ({ text }));
      case 'labelValues': {
        if (!q.label) {
          return [];
        }
        const label = this.templateSrv.replace(q.label, scoped);
        return (await this.languageProvider.labelValues(label, stream)).map((text) => ({ text }));
      }
      default:
        return this.queryResultValues(this.templateSrv.replace(q.expr ?? '', scoped), options?.range);
    }
  }

  /** A LogQL query's results as variable values: each series' labels (metric) or each line (log). */
  private async queryResultValues(expr: string, range?: TimeRange): Promise<MetricFindValue[]> {
    if (!expr.trim()) {
      return [];
    }
    const now = dateTime();
    const r: TimeRange = range ?? {
      from: dateTime(now.valueOf() - 3600_000),
      to: now,
      raw: { from: 'now-1h', to: 'now' },
    };
    const request = {
      requestId: `variable-${hashString(expr)}`,
      interval: '1m',
      intervalMs: 60_000,
      range: r,
      scopedVars: {},
      targets: [{ refId: 'variable', expr, queryType: 'instant', maxLines: 1000 }],
      timezone: 'UTC',
      app: 'variable',
      startTime: Date.now(),
    } as unknown as DataQueryRequest<LogQLQuery>;
    const res = await lastValueFrom(this.query(request));
    const out = new Map<string, MetricFindValue>();
    for (const frame of res.data as DataFrame[]) {
      const line = frame.fields.find((f) => f.name === 'body' || f.name === 'Line' || f.name === 'line');
      if (line) {
        for (const v of line.values) {
          out.set(String(v), { text: String(v) });
        }
        continue;
      }
      const value = frame.fields.find((f) => f.type === FieldType.number);
      if (value) {
        const labels = value.labels ?? {};
        const keys = Object.keys(labels);
        const text =
          keys.length === 1
            ? labels[keys[0]]
            : formatSelector(keys.map((k) => ({ label: k, op: '=', value: labels[k] })));
        out.set(text, { text, value: text, properties: labels as Record<string, string> });
      }
    }
    return [...out.values()];
  }
}

/** Annotation events from log frames: one per line, tags from labels, optional title/text templates. */
export function annotationEventsFromFrames(
  anno: AnnotationQuery<LogQLAnnotationQuery>,
  frames: DataFrame[],
): AnnotationEvent[] {
  const t = anno.target;
  const tagKeys = new Set(
    (t?.tagKeys ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const render = (tpl: string, labels: Record<string, string>) =>
    tpl.replace(/\{\{\s*\.?(\w+)\s*\}\}/g, (_, k) => labels[k] ?? '');
  const events: AnnotationEvent[] = [];
  for (const frame of frames) {
    const time = frame.fields.find((f) => f.type === FieldType.time);
    const line = frame.fields.find((f) => f.name === 'body' || f.name === 'Line' || f.name === 'line');
    const labelsField = frame.fields.find((f) => f.name === 'labels');
    if (!time || !line) {
      continue;
    }
    for (let i = 0; i < frame.length; i++) {
      const raw = labelsField?.values[i];
      const labels: Record<string, string> =
        typeof raw === 'string' ? safeJson(raw) : ((raw as Record<string, string>) ?? {});
      const tags = Object.entries(labels)
        .filter(([k]) => tagKeys.size === 0 || tagKeys.has(k))
        .map(([, v]) => v);
      events.push({
        time: Number(time.values[i]),
        title: t?.titleFormat ? render(t.titleFormat, labels) : undefined,
        text: t?.textFormat
          ? render(t.textFormat, { ...labels, __line__: String(line.values[i]) })
          : String(line.values[i]),
        tags,
      });
    }
  }
  return events;
}

function safeJson(s: string): Record<string, string> {
  try {
    return JSON.parse(s);
  } catch {
    return {};
  }
}
