// Ingest-time field discovery, as Loki 3.7.6 does it at push time (read from its source, not copied):
//
//   service_name     (pkg/loghttp/push/push.go, limits_config.discover_service_name) a stream without a
//                    `service_name` label gets one: the value of the first label of the list it has, else
//                    `unknown_service`. Loki's default list below; an empty list turns it off.
//   detected_level   (pkg/distributor/field_detection.go, limits_config.discover_log_levels) every entry without a
//                    `detected_level` structured metadata field gets one: from a level label of the stream
//                    (`level`, `severity`, … in that order), else from such a metadata field, else from OTLP's
//                    `severity_number`, else from the line — the first allowed key of a JSON object (two levels
//                    deep) or of logfmt pairs, else the first level word standing alone in the text — normalised to
//                    trace, debug, info, warn, error, critical or fatal, `unknown` when nothing says. An existing
//                    `detected_level` is normalised in place.
//
// Loki's defaults have both on, but `logqlsql serve` leaves both off unless asked (`--discover-service-name`,
// `--discover-log-levels`): a server stores exactly what it is sent, answers as the reference Loki of the conformance
// set does (recorded with both off: 60 of its 105 answers change with them on), and keeps rows free of structured
// metadata, which the SQL pushdowns must otherwise treat as possibly shadowing a parsed label. The demo data set
// carries both, so logs volume by level and Drilldown work on it.
//
// JSON lines are not parsed whole: the first `"level": "…"` (or another allowed key) in the text is taken when it sits
// at most two objects deep and in no array, which is where Loki's streaming parser would meet it first.

import { Option } from 'commander';
import type { Labels, PushStream } from '../engine/types';
import { LogfmtDecoder } from '../eval/pipeline/logfmt';

export interface FieldDiscovery {
  /** labels that give `service_name` its value, in order (Loki: discover_service_name); empty: no service_name */
  serviceNameLabels: readonly string[];
  /** add `detected_level` structured metadata (Loki: discover_log_levels) */
  logLevels: boolean;
}

/** Loki's default discover_service_name. */
export const LOKI_SERVICE_NAME_LABELS: readonly string[] = [
  'service',
  'app',
  'application',
  'app_name',
  'name',
  'app_kubernetes_io_name',
  'container',
  'container_name',
  'k8s_container_name',
  'component',
  'workload',
  'job',
  'k8s_job_name',
];

/** Loki's defaults: both on. */
export const LOKI_DISCOVERY: FieldDiscovery = { serviceNameLabels: LOKI_SERVICE_NAME_LABELS, logLevels: true };
export const NO_DISCOVERY: FieldDiscovery = { serviceNameLabels: [], logLevels: false };

export const SERVICE_NAME = 'service_name';
export const UNKNOWN_SERVICE = 'unknown_service';
export const DETECTED_LEVEL = 'detected_level';

/** Loki's DefaultAllowedLevelFields: where a level is looked for, in this order (names compared exactly). */
const LEVEL_FIELDS = [
  'level',
  'LEVEL',
  'Level',
  'log.level',
  'severity',
  'SEVERITY',
  'Severity',
  'SeverityText',
  'lvl',
  'LVL',
  'Lvl',
  'severity_text',
  'Severity_Text',
  'SEVERITY_TEXT',
];
/** limits_config.log_level_from_json_max_depth default */
const JSON_MAX_DEPTH = 2;
/** labels that mark Loki's internal streams, which get no service_name */
const INTERNAL_STREAM_LABELS = ['__aggregated_metric__', '__pattern__'];

/** Loki's normalizeLogLevel: known spellings (case-insensitive) → canonical level, anything else unchanged. */
export function normalizeLevel(v: string): string {
  return canonicalLevel(v) ?? v;
}

function canonicalLevel(v: string): string | undefined {
  switch (v.toLowerCase()) {
    case 'trace':
    case 'trc':
      return 'trace';
    case 'debug':
    case 'dbg':
      return 'debug';
    case 'info':
    case 'inf':
    case 'information':
      return 'info';
    case 'warn':
    case 'wrn':
    case 'warning':
      return 'warn';
    case 'error':
    case 'err':
      return 'error';
    case 'critical':
      return 'critical';
    case 'fatal':
      return 'fatal';
    default:
      return undefined;
  }
}

/** the first of LEVEL_FIELDS present (non-empty) in `l` */
function levelField(l: Labels | undefined): string | undefined {
  if (!l) return undefined;
  for (const f of LEVEL_FIELDS) {
    const v = l[f];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/** OpenTelemetry SeverityNumber ranges (1–4 trace … 21–24 fatal), as Loki maps them. */
function otlpSeverityLevel(text: string): string {
  if (!/^[+-]?\d+$/.test(text)) return 'info';
  const n = Number(text);
  if (n === 0) return 'unknown';
  if (n <= 4) return 'trace';
  if (n <= 8) return 'debug';
  if (n <= 12) return 'info';
  if (n <= 16) return 'warn';
  if (n <= 20) return 'error';
  if (n <= 24) return 'fatal';
  return 'unknown';
}

/** Loki's isJSON: `{` first and `}` last, spaces aside (String.trim() copied every line: 10× slower) */
function isJsonLine(line: string): boolean {
  let i = 0;
  let j = line.length - 1;
  while (i <= j && isSpace(line.charCodeAt(i))) i++;
  while (j > i && isSpace(line.charCodeAt(j))) j--;
  return i < j && line.charCodeAt(i) === 123 && line.charCodeAt(j) === 125;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0x85 || c === 0xa0 || (c > 0xff && /\s/.test(String.fromCharCode(c)));
}

const escapeRe = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `"key": "value"` for an allowed key, anywhere in the text (the nesting is checked afterwards) */
const JSON_LEVEL_PAIR = new RegExp(
  `"(?:${LEVEL_FIELDS.map(escapeRe).join('|')})"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`,
  'g',
);

/**
 * Objects enclosing offset `at` of a JSON text, or -1 when `at` is inside an array or a string. A scan of the
 * text before `at` instead of JSON.parse: most lines have their level key early, and Loki's streaming parser also
 * stops at the first match.
 */
function objectDepthAt(line: string, at: number): number {
  const stack: number[] = []; // 123 '{' or 91 '['
  let inString = false;
  for (let i = 0; i < at; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) stack.push(c);
    else if (c === 125 || c === 93) stack.pop();
  }
  if (inString || stack.includes(91)) return -1;
  return stack.length;
}

/** First string value under an allowed key in document order, at most JSON_MAX_DEPTH objects deep, not in arrays. */
function jsonLevel(line: string): string | undefined {
  JSON_LEVEL_PAIR.lastIndex = 0;
  for (let m = JSON_LEVEL_PAIR.exec(line); m; m = JSON_LEVEL_PAIR.exec(line)) {
    const depth = objectDepthAt(line, m.index);
    if (depth < 1 || depth > JSON_MAX_DEPTH) continue;
    try {
      return JSON.parse(`"${m[1]}"`) as string;
    } catch {
      return m[1];
    }
  }
  return undefined;
}

const logfmt = new LogfmtDecoder();

/** Value of the logfmt key matching the earliest allowed field (keys compared case-insensitively, as Loki does). */
function logfmtLevel(line: string): string | undefined {
  logfmt.reset(line);
  let best = LEVEL_FIELDS.length;
  let res: string | undefined;
  while (!logfmt.eol() && logfmt.scanKeyval()) {
    const k = logfmt.key?.toLowerCase();
    if (k === undefined) continue;
    for (let x = 0; x < best; x++) {
      if (LEVEL_FIELDS[x].toLowerCase() === k) {
        res = logfmt.value ?? '';
        best = x;
        if (x === 0) return res;
        break;
      }
    }
  }
  return res;
}

/**
 * Loki's level words in its order of preference, each standing alone: after the start or one of ` \t\n[({"=`, before
 * the end or one of ` \t\n[](){}:,!"=`. The leftmost match wins and, at one position, the earlier word — what a
 * regex's leftmost-first alternation does in one pass (Loki scans the lowercased line once per word).
 */
const LEVEL_WORD =
  /(?<=^|[ \t\n[({"=])(trace|debug|fatal|critical|error|err|warning|warn|info)(?=$|[ \t\n[\](){}:,!"=])/i;
const WORD_LEVEL: Record<string, string> = {
  trace: 'trace',
  debug: 'debug',
  fatal: 'fatal',
  critical: 'critical',
  error: 'error',
  err: 'error',
  warning: 'warn',
  warn: 'warn',
  info: 'info',
};

/** Loki's detectLevelFromLogLine: the level word (standing alone) that appears first; `unknown` when none does. */
function levelFromText(line: string): string {
  const m = LEVEL_WORD.exec(line);
  return m ? WORD_LEVEL[m[1].toLowerCase()] : 'unknown';
}

function levelFromLine(line: string): string {
  let v: string | undefined;
  if (isJsonLine(line)) v = jsonLevel(line);
  else if (line.includes('=')) v = logfmtLevel(line);
  else return levelFromText(line);
  return (v !== undefined ? canonicalLevel(v) : undefined) ?? levelFromText(line);
}

/**
 * The detected_level of one entry, or undefined when the entry already carries one (normalised in `metadata`).
 * `streamLevel` is the stream's level label, looked up once per stream.
 */
function entryLevel(streamLevel: string | undefined, metadata: Labels | undefined, line: string): string | undefined {
  if (streamLevel !== undefined) return normalizeLevel(streamLevel);
  const fromMetadata = levelField(metadata);
  if (fromMetadata !== undefined) return normalizeLevel(fromMetadata);
  const severityNumber = metadata?.severity_number;
  if (severityNumber !== undefined && severityNumber !== '') return otlpSeverityLevel(severityNumber);
  return levelFromLine(line);
}

/** Loki's detected_level for a line of a stream with these labels and this structured metadata. */
export function detectLevel(labels: Labels, metadata: Labels | undefined, line: string): string {
  const existing = metadata?.[DETECTED_LEVEL];
  if (existing !== undefined) return normalizeLevel(existing);
  return entryLevel(levelField(labels), metadata, line) ?? 'unknown';
}

/** The service_name a stream gets (undefined: it keeps its labels). */
export function discoverServiceName(labels: Labels, names: readonly string[]): string | undefined {
  if (names.length === 0 || Object.hasOwn(labels, SERVICE_NAME)) return undefined;
  if (INTERNAL_STREAM_LABELS.some((l) => Object.hasOwn(labels, l))) return undefined;
  for (const n of names) {
    const v = labels[n];
    if (v !== undefined && v !== '') return v;
  }
  return UNKNOWN_SERVICE;
}

/** Add service_name labels and detected_level metadata to a decoded push, in place. */
export function discoverFields(streams: PushStream[], d: FieldDiscovery): void {
  if (d.serviceNameLabels.length === 0 && !d.logLevels) return;
  for (const s of streams) {
    const service = discoverServiceName(s.labels, d.serviceNameLabels);
    if (service !== undefined) s.labels = { ...s.labels, [SERVICE_NAME]: service };
    if (!d.logLevels) continue;
    const streamLevel = levelField(s.labels);
    const entries = s.entries;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      const md = e.metadata;
      const existing = md?.[DETECTED_LEVEL];
      if (existing !== undefined) {
        const n = normalizeLevel(existing);
        if (n !== existing) entries[i] = { ...e, metadata: { ...md, [DETECTED_LEVEL]: n } };
        continue;
      }
      const level = entryLevel(streamLevel, md, e.line);
      if (level === undefined || level === '') continue;
      entries[i] = { ...e, metadata: { ...md, [DETECTED_LEVEL]: level } };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// `logqlsql serve` flags, named after Loki's (-validation.discover-service-name, -validation.discover-log-levels)

export function discoveryOptions(): Option[] {
  return [
    new Option(
      '--discover-service-name [labels]',
      "add service_name to streams without one: the value of the first of these comma-separated labels present (unknown_service when none is), Loki's list when none is given (Loki: discover_service_name)",
    ).preset(LOKI_SERVICE_NAME_LABELS.join(',')),
    new Option(
      '--discover-log-levels',
      'add detected_level structured metadata to each entry at ingest (Loki: discover_log_levels)',
    ),
    new Option('--no-discover-log-levels', 'do not add detected_level (the default)'),
  ];
}

/** The discovery settings among parsed `serve` options. */
export function discoveryFromOptions(o: object): FieldDiscovery {
  const src = o as { discoverServiceName?: string; discoverLogLevels?: boolean };
  const list = src.discoverServiceName ?? '';
  return {
    serviceNameLabels: list
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    logLevels: src.discoverLogLevels === true,
  };
}
