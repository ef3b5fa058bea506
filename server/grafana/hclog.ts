// hclog-compatible JSON logging for plugin mode. go-plugin (inside Grafana) reads the plugin's stderr line by line and
// parses JSON lines as hclog records: `@level`, `@message`, `@timestamp` must be strings (a non-string there crashes
// a Grafana goroutine), the timestamp with 6 fractional digits. Other keys become log fields.

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<Level, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

export interface Logger {
  trace(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const start = process.hrtime.bigint();
const startMs = Date.now();

/** `2026-11-20T10:00:00.123456Z` — microsecond precision from the monotonic clock anchored at start-up. */
export function hclogTimestamp(now?: Date): string {
  let us: bigint;
  if (now) us = BigInt(now.getTime()) * 1000n;
  else us = BigInt(startMs) * 1000n + (process.hrtime.bigint() - start) / 1000n;
  const ms = Number(us / 1000n);
  const iso = new Date(ms).toISOString(); // 2026-11-20T10:00:00.123Z
  const micros = (us % 1_000_000n).toString().padStart(6, '0');
  return `${iso.slice(0, 19)}.${micros}Z`;
}

function fieldValue(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Error) return v.message;
  return v;
}

export function hclogLine(level: Level, msg: string, fields?: Record<string, unknown>, module?: string): string {
  const rec: Record<string, unknown> = {
    '@level': level,
    '@message': String(msg),
    '@timestamp': hclogTimestamp(),
  };
  if (module) rec['@module'] = module;
  if (fields) {
    for (const [k, v] of Object.entries(fields)) {
      if (k.startsWith('@')) rec['_' + k.slice(1)] = fieldValue(v);
      else rec[k] = fieldValue(v);
    }
  }
  try {
    return JSON.stringify(rec);
  } catch {
    return JSON.stringify({ '@level': level, '@message': String(msg), '@timestamp': rec['@timestamp'] });
  }
}

/** A logger writing one hclog JSON line per record to `write` (stderr by default). */
export function createHclogLogger(opts: { level?: Level; module?: string; write?: (line: string) => void }): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const log = (level: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    write(hclogLine(level, msg, fields, opts.module));
  };
  return { trace: log('trace'), debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** Level from GF_PLUGIN_LOG_LEVEL-like env values; Grafana sets `GF_PLUGIN_LOG_LEVEL` for some plugins. */
export function levelFromEnv(env: NodeJS.ProcessEnv): Level {
  const v = (env.GF_PLUGIN_LOG_LEVEL ?? env.LOGQLSQL_LOG_LEVEL ?? '').toLowerCase();
  if (v === 'trace' || v === 'debug' || v === 'info' || v === 'warn' || v === 'error') return v;
  return 'info';
}

/** A logger that drops everything (server mode default when none is passed). */
export const silentLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
