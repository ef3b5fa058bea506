// Existing log tables (DESIGN §3): a mapping presents a table people already have as the engine's two relations —
// entries (stream_id, ts, line, metadata) and the stream catalog (id, labels, first_ts, last_ts) — as SQL over the
// table, so every compiler (sql/rowSelect, rangeAggregate, unwrapAggregate) runs unchanged on it. Nothing is written
// to the user's database.
//
// Layouts:
//   flat  a timestamp column, a line column and label columns (configured, or every other string column);
//   map   a timestamp column, a line column and ONE map / JSON column of labels (Loki's own parquet layout);
//   otel  the OpenTelemetry collector's ClickHouse exporter table (`otel_logs`): stream labels are
//         `service_name` (ServiceName) and the ResourceAttributes; LogAttributes, SeverityText, TraceId and SpanId are
//         structured metadata (`severity_text`, `trace_id`, `span_id`, attribute names) — what OTel users see in Loki.
//         Attribute names become label names as Loki makes them: every char outside [A-Za-z0-9_] → `_`.
//
// Duplicates: equal (stream, ts, line, metadata) rows are one entry, as Loki stores them (the entries relation groups
// them); rows differing only in structured metadata stay apart, as Loki's ingester keeps them.
// Stream identity: a 64-bit hash of the row's label values computed in SQL (DuckDB hash, PostgreSQL
// hashtextextended, ClickHouse cityHash64), the same expression in both relations. An empty or NULL label value is
// no label (as in Loki), so both hash as ''.
// Validation: the table and every configured column must exist with a usable type; a MappingError names what is
// missing or wrongly typed, at start-up.
// Identifiers are validated (letters, digits, `_`, `.`, `$`, `-`, space; no quotes) and always double-quoted.
import type { Driver, EngineName } from '../sql/driver';
import type { Dialect } from '../sql/dialect';
import type { Labels } from '../engine/types';

export type MappingConfig =
  | { layout: 'flat'; table: string; timestamp: string; line: string; labels?: string[] }
  | { layout: 'map'; table: string; timestamp: string; line: string; labels: string }
  | { layout: 'otel'; table?: string };

export class MappingError extends Error {
  override readonly name = 'MappingError';
}

/** What the engine needs to run on a mapped table. */
export interface MappedSource {
  /** derived table presenting (stream_id, ts, line, metadata) */
  entries: string;
  /** statement loading the catalog rows */
  streamsSql: string;
  /** catalog row → stream labels */
  toLabels(row: Record<string, unknown>): Labels;
  /** e.g. `flat table "logs" (ts, line=message, labels: app, level)` */
  describe: string;
}

type Kind = 'text' | 'int' | 'timestamp' | 'timestamp_ns' | 'datetime' | 'map' | 'json' | 'other';

interface Column {
  name: string;
  type: string;
  kind: Kind;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$ .-]*$/;

function ident(name: string, what: string): string {
  if (!IDENT.test(name) || name.length > 128) throw new MappingError(`invalid ${what} name ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** `schema.table` or `table` → quoted parts */
function tableRef(name: string): { sql: string; schema?: string; table: string } {
  const parts = name.split('.');
  if (parts.length > 2) throw new MappingError(`invalid table name ${JSON.stringify(name)}: use table or schema.table`);
  const [schema, table] = parts.length === 2 ? parts : [undefined, parts[0]];
  return { sql: parts.map((p) => ident(p, 'table')).join('.'), schema, table };
}

/** Loki's label-name sanitising (prometheus normalisation). */
export function sanitizeLabelName(k: string): string {
  let s = k.replace(/[^A-Za-z0-9_]/g, '_');
  if (/^[0-9]/.test(s)) s = '_' + s;
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// Per-engine pieces: type classes, column introspection and expressions.

interface EngineSql {
  kindOf(type: string): Kind;
  columns(driver: Driver, t: { schema?: string; table: string }): Promise<{ name: string; type: string }[]>;
  /** ns BIGINT from a timestamp/int column */
  tsNs(col: string, kind: Kind): string;
  /** text value, '' when NULL */
  text(col: string): string;
  /** signed 64-bit hash of the given expressions */
  hash(exprs: string[]): string;
  /** canonical JSON text of a map / JSON column (the catalog parses it) */
  mapJson(col: string, kind: Kind): string;
  /** the hashable canonical form of a map / JSON column */
  mapKey(col: string, kind: Kind): string;
  /** OTel metadata JSON text (NULL when empty) from LogAttributes + the three columns */
  otelMetadata(attrs: string, kind: Kind, severity: string, trace: string, span: string): string;
  nullText: string;
}

const DUCKDB: EngineSql = {
  kindOf(t) {
    const u = t.toUpperCase();
    if (u === 'VARCHAR' || u.startsWith('VARCHAR(')) return 'text';
    if (/^(BIGINT|INTEGER|HUGEINT|UBIGINT|SMALLINT)$/.test(u)) return 'int';
    if (u === 'TIMESTAMP_NS') return 'timestamp_ns';
    if (u.startsWith('TIMESTAMP')) return 'timestamp';
    if (u.startsWith('MAP(')) return 'map';
    if (u === 'JSON') return 'json';
    return 'other';
  },
  async columns(driver, t) {
    return driver.query<{ name: string; type: string }>(
      `SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name = $1::VARCHAR AND ($2::VARCHAR IS NULL OR table_schema = $2::VARCHAR) ORDER BY ordinal_position`,
      [t.table, t.schema ?? null],
    );
  },
  tsNs: (c, k) => (k === 'int' ? `CAST(${c} AS BIGINT)` : `epoch_ns(${c})`),
  text: (c) => `coalesce(CAST(${c} AS VARCHAR), '')`,
  hash: (es) => `CAST(hash(${es.join(', ')}) >> 1 AS BIGINT)`,
  mapJson: (c, k) => (k === 'json' ? `CAST(${c} AS VARCHAR)` : `CAST(to_json(${c}) AS VARCHAR)`),
  mapKey: (c, k) =>
    k === 'json' ? `CAST(${c} AS VARCHAR)` : `CAST(to_json(map_from_entries(list_sort(map_entries(${c})))) AS VARCHAR)`,
  otelMetadata: (a, k, sev, tr, sp) => {
    const entries = k === 'json' ? `map_entries(CAST(${a} AS MAP(VARCHAR, VARCHAR)))` : `map_entries(${a})`;
    const list =
      `list_filter(list_transform(coalesce(${entries}, []), e -> {'key': regexp_replace(e.key, '[^A-Za-z0-9_]', '_', 'g'), 'value': e.value}) || ` +
      `[{'key': 'severity_text', 'value': ${sev}}, {'key': 'trace_id', 'value': ${tr}}, {'key': 'span_id', 'value': ${sp}}], e -> coalesce(e.value, '') <> '')`;
    return `CASE WHEN len(${list}) = 0 THEN NULL ELSE CAST(to_json(map_from_entries(${list})) AS VARCHAR) END`;
  },
  nullText: 'CAST(NULL AS VARCHAR)',
};

const POSTGRES: EngineSql = {
  kindOf(t) {
    if (/^(text|character varying|character|varchar|name)$/.test(t)) return 'text';
    if (/^(bigint|integer|smallint|numeric)$/.test(t)) return 'int';
    if (t.startsWith('timestamp')) return 'timestamp';
    if (t === 'jsonb' || t === 'json') return 'json';
    return 'other';
  },
  async columns(driver, t) {
    return driver.query<{ name: string; type: string }>(
      `SELECT column_name AS name, data_type AS type FROM information_schema.columns
       WHERE table_name = $1::text AND table_schema = coalesce($2::text, current_schema()) ORDER BY ordinal_position`,
      [t.table, t.schema ?? null],
    );
  },
  tsNs: (c, k) => (k === 'int' ? `(${c})::bigint` : `(extract(epoch from ${c}) * 1000000000)::bigint`),
  text: (c) => `coalesce((${c})::text, '')`,
  hash: (es) => `hashtextextended(json_build_array(${es.join(', ')})::text, 0)`,
  mapJson: (c) => `(${c})::jsonb::text`,
  mapKey: (c) => `coalesce((${c})::jsonb::text, '')`,
  otelMetadata: (a, _k, sev, tr, sp) =>
    `(SELECT CASE WHEN count(*) = 0 THEN NULL ELSE jsonb_object_agg(k, v)::text END FROM (` +
    `SELECT regexp_replace(key, '[^A-Za-z0-9_]', '_', 'g') AS k, value AS v FROM jsonb_each_text(coalesce((${a})::jsonb, '{}'::jsonb)) ` +
    `UNION ALL VALUES ('severity_text', ${sev}::text), ('trace_id', ${tr}::text), ('span_id', ${sp}::text)) AS attrs WHERE coalesce(v, '') <> '')`,
  nullText: 'CAST(NULL AS text)',
};

const CLICKHOUSE: EngineSql = {
  kindOf(t) {
    const u = t.replace(/^Nullable\((.*)\)$/, '$1').replace(/^LowCardinality\((.*)\)$/, '$1');
    if (u === 'String' || u.startsWith('FixedString')) return 'text';
    if (/^U?Int(8|16|32|64)$/.test(u)) return 'int';
    if (u.startsWith('DateTime64')) return 'timestamp';
    if (u.startsWith('DateTime')) return 'datetime';
    if (u.startsWith('Map(')) return 'map';
    if (u === 'JSON' || u.startsWith('Object(')) return 'json';
    return 'other';
  },
  async columns(driver, t) {
    return driver.query<{ name: string; type: string }>(
      `SELECT name, type FROM system.columns WHERE table = {p1:String} AND database = if({p2:String} = '', currentDatabase(), {p2:String}) ORDER BY position`,
      [t.table, t.schema ?? ''],
    );
  },
  tsNs: (c, k) =>
    k === 'int'
      ? `toInt64(${c})`
      : k === 'datetime'
        ? `(toInt64(toUnixTimestamp(${c})) * 1000000000)`
        : `toUnixTimestamp64Nano(${c})`,
  text: (c) => `ifNull(toString(${c}), '')`,
  hash: (es) => `reinterpretAsInt64(cityHash64(${es.join(', ')}))`,
  mapJson: (c, k) => (k === 'json' ? `toJSONString(${c})` : `toJSONString(mapSort(${c}))`),
  mapKey: (c, k) => (k === 'json' ? `toJSONString(${c})` : `toJSONString(mapSort(${c}))`),
  otelMetadata: (a, _k, sev, tr, sp) => {
    const m =
      `mapFilter((k, v) -> v != '', mapConcat(mapApply((k, v) -> (replaceRegexpAll(toString(k), '[^A-Za-z0-9_]', '_'), v), ${a}), ` +
      `map('severity_text', toString(${sev}), 'trace_id', toString(${tr}), 'span_id', toString(${sp}))))`;
    return `if(empty(${m}), NULL, toJSONString(${m}))`;
  },
  nullText: "CAST(NULL, 'Nullable(String)')",
};

const ENGINES: Record<EngineName, EngineSql> = { duckdb: DUCKDB, postgres: POSTGRES, clickhouse: CLICKHOUSE };

// ---------------------------------------------------------------------------------------------------------------

function labelsFromObject(o: unknown, into: Labels): void {
  if (!o || typeof o !== 'object') return;
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    if (v === null || v === undefined || v === '') continue;
    const name = sanitizeLabelName(k);
    if (into[name] === undefined) into[name] = typeof v === 'string' ? v : JSON.stringify(v);
  }
}

function parseJsonText(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** Validate the mapping against the database and build the relations. */
export async function resolveMapping(driver: Driver, cfg: MappingConfig): Promise<MappedSource> {
  const e = ENGINES[driver.engine];
  const tableName = cfg.layout === 'otel' ? (cfg.table ?? 'otel_logs') : cfg.table;
  if (!tableName) throw new MappingError(`mapping ${cfg.layout}: a table is required`);
  const t = tableRef(tableName);
  const cols = (await e.columns(driver, t)).map((c) => ({ ...c, kind: e.kindOf(String(c.type)) }) as Column);
  if (cols.length === 0)
    throw new MappingError(`table ${JSON.stringify(tableName)} not found in the ${driver.engine} database`);
  const byName = new Map(cols.map((c) => [c.name, c]));
  const need = (name: string, role: string, kinds: Kind[]): Column => {
    ident(name, `${role} column`);
    const c = byName.get(name);
    if (!c) {
      throw new MappingError(
        `table ${JSON.stringify(tableName)} has no ${role} column ${JSON.stringify(name)} (columns: ${cols.map((x) => x.name).join(', ')})`,
      );
    }
    if (!kinds.includes(c.kind)) {
      throw new MappingError(
        `column ${JSON.stringify(name)} of ${JSON.stringify(tableName)} is ${c.type}: the ${role} column must be ${kinds.join(' or ')}`,
      );
    }
    return c;
  };
  const TS: Kind[] = ['timestamp', 'timestamp_ns', 'datetime', 'int'];
  const q = (c: Column) => `"${c.name}"`;

  let tsCol: Column;
  let lineCol: Column;
  let labelExprs: { name: string; expr: string }[] = [];
  let mapCol: Column | undefined;
  let metadata = e.nullText;
  let describe: string;
  if (cfg.layout === 'otel') {
    tsCol = need('Timestamp', 'timestamp', TS);
    lineCol = need('Body', 'line', ['text']);
    const svc = need('ServiceName', 'service name', ['text']);
    const sev = need('SeverityText', 'severity', ['text']);
    const res = need('ResourceAttributes', 'resource attributes', ['map', 'json']);
    const la = need('LogAttributes', 'log attributes', ['map', 'json']);
    const tr = need('TraceId', 'trace id', ['text']);
    const sp = need('SpanId', 'span id', ['text']);
    labelExprs = [{ name: 'service_name', expr: e.text(q(svc)) }];
    mapCol = res;
    metadata = e.otelMetadata(q(la), la.kind, q(sev), q(tr), q(sp));
    describe = `OTel table ${JSON.stringify(tableName)}`;
  } else {
    tsCol = need(cfg.timestamp, 'timestamp', TS);
    lineCol = need(cfg.line, 'line', ['text']);
    if (cfg.layout === 'map') {
      mapCol = need(cfg.labels, 'labels', ['map', 'json']);
      describe = `map table ${JSON.stringify(tableName)} (ts=${cfg.timestamp}, line=${cfg.line}, labels in ${cfg.labels})`;
    } else {
      const names =
        cfg.labels ??
        cols.filter((c) => c.kind === 'text' && c.name !== cfg.line && c.name !== cfg.timestamp).map((c) => c.name);
      if (names.length === 0)
        throw new MappingError(
          `flat table ${JSON.stringify(tableName)}: no label columns (configure them or add string columns)`,
        );
      labelExprs = names.map((n) => ({
        name: sanitizeLabelName(n),
        expr: e.text(q(need(n, 'label', ['text', 'int']))),
      }));
      describe = `flat table ${JSON.stringify(tableName)} (ts=${cfg.timestamp}, line=${cfg.line}, labels: ${names.join(', ')})`;
    }
  }

  const keyExprs = [...labelExprs.map((l) => l.expr), ...(mapCol ? [e.mapKey(q(mapCol), mapCol.kind)] : [])];
  const labelCols = labelExprs.map((l, i) => `${l.expr} AS _l${i}`);
  if (mapCol) labelCols.push(`${e.mapJson(q(mapCol), mapCol.kind)} AS _lmap`);
  const lineExpr = driver.engine === 'postgres' ? `(${q(lineCol)})::text COLLATE "C"` : q(lineCol);
  const inner = `SELECT ${e.hash(keyExprs)} AS stream_id, ${e.tsNs(q(tsCol), tsCol.kind)} AS ts, ${lineExpr} AS line, ${metadata} AS metadata`;
  // Loki keeps one entry per equal (timestamp, line, structured metadata) in a stream; a table may hold duplicates,
  // so group them here (the engines push the stream/time/line filters below the grouping: they filter grouping keys).
  const entries =
    `(SELECT stream_id, ts, line, metadata FROM (${inner} FROM ${t.sql}) AS rows ` +
    `GROUP BY stream_id, ts, line, metadata) AS entries`;
  const labelNames = labelCols.map((_, i) => (mapCol && i === labelCols.length - 1 ? '_lmap' : `_l${i}`));
  const streamsSql =
    `SELECT stream_id AS id, ${labelNames.join(', ')}, min(ts) AS first_ts, max(ts) AS last_ts FROM ` +
    `(SELECT ${e.hash(keyExprs)} AS stream_id, ${e.tsNs(q(tsCol), tsCol.kind)} AS ts, ${labelCols.join(', ')} FROM ${t.sql}) AS s ` +
    `GROUP BY stream_id, ${labelNames.join(', ')}`;
  const names = labelExprs.map((l) => l.name);
  const toLabels = (row: Record<string, unknown>): Labels => {
    const labels: Labels = {};
    names.forEach((n, i) => {
      const v = row[`_l${i}`];
      if (v !== null && v !== undefined && v !== '') labels[n] = String(v);
    });
    if (mapCol) labelsFromObject(parseJsonText(row._lmap), labels);
    return labels;
  };
  return { entries, streamsSql, toLabels, describe };
}

/** A dialect reading entries from the mapped relation. On PostgreSQL, JSON pushdown needs our
 *  logqlsql_json_field() function (schema/postgres.ts); a mapped database we do not own may lack it, and we write
 *  nothing there: then `| json | unwrap` runs in TypeScript, with the reason named. */
export async function mappedDialect(driver: Driver, d: Dialect, src: MappedSource): Promise<Dialect> {
  // (a relation we do not write has no minute counts)
  const out: Dialect = { ...d, entries: src.entries, minuteCounts: undefined };
  if (driver.engine === 'postgres' && d.capabilities.jsonExtract) {
    const rows = await driver.query<{ ok: boolean }>(
      `SELECT to_regprocedure('logqlsql_json_field(text,text)') IS NOT NULL AS ok`,
    );
    if (!rows[0]?.ok) {
      return {
        ...out,
        capabilities: { ...d.capabilities, jsonExtract: false },
        limits: {
          ...d.limits,
          json: 'JSON pushdown: function logqlsql_json_field(text, text) is not installed in this PostgreSQL database',
        },
      };
    }
  }
  return out;
}

/** Parse `layout:key=value,…` (CLI / config): `flat:table=logs,ts=time,line=msg,labels=app|level`,
 *  `map:table=logs,ts=time,line=msg,labels=attrs`, `otel` or `otel:table=otel_logs`. */
export function parseMapping(spec: string): MappingConfig {
  const [layout, rest = ''] = spec.split(/:(.*)/s);
  const kv: Record<string, string> = {};
  for (const part of rest.split(',').filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0)
      throw new MappingError(`mapping ${JSON.stringify(spec)}: expected key=value, got ${JSON.stringify(part)}`);
    kv[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  const req = (k: string) => {
    if (!kv[k]) throw new MappingError(`mapping ${JSON.stringify(spec)}: missing ${k}=`);
    return kv[k];
  };
  switch (layout) {
    case 'otel':
      return { layout: 'otel', table: kv.table };
    case 'flat':
      return {
        layout: 'flat',
        table: req('table'),
        timestamp: req('ts'),
        line: req('line'),
        labels: kv.labels ? kv.labels.split('|') : undefined,
      };
    case 'map':
      return { layout: 'map', table: req('table'), timestamp: req('ts'), line: req('line'), labels: req('labels') };
    default:
      throw new MappingError(`unknown mapping layout ${JSON.stringify(layout)}: use flat, map or otel`);
  }
}
