// What an error body may say. Error messages come from everywhere (the engine, database drivers, Node itself) and
// some carry what a client must not see: JavaScript stack traces, file system paths (node_modules, the data
// directory), and the database's network address. Every 4xx/5xx body goes through `sanitizeErrorMessage`, and a
// database that cannot be reached answers 503 with the reason but not the address.

import { homedir, tmpdir } from 'node:os';

/** Node's and the drivers' codes for a database that cannot be reached (PostgreSQL SQLSTATE classes 08, 53, 57P). */
const UNREACHABLE_CODES =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|EHOSTDOWN|ENETUNREACH|ENOTFOUND|EPIPE|EAI_AGAIN|08|53|57P)/;
const UNREACHABLE_MESSAGES =
  /\b(connect ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|Connection terminated|terminating connection|the database system is (starting up|shutting down|in recovery mode)|Client has encountered a connection error|Connection refused|Connection reset|server closed the connection unexpectedly|too many clients already)/i;

/** Whether an error means the database is unreachable (→ 503) rather than that the request was wrong. */
export function isDatabaseUnreachable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === 'DatabaseUnreachableError') return true;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && UNREACHABLE_CODES.test(code)) return true;
  return UNREACHABLE_MESSAGES.test(e.message);
}

/** eval/pipeline's refusals of a stage (label_format), raised while the query is compiled: the query's fault (400) */
export const PIPELINE_BUILD_ERROR =
  /^(invalid template for label '|multiple label name '.*' not allowed in a single format|__error__ cannot be formatted|ip: invalid pattern)/;

const ADDRESS = new RegExp(
  [
    String.raw`\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b`, // IPv4[:port]
    String.raw`\[[0-9a-fA-F:.]+\](?::\d{1,5})?`, // [IPv6]:port
    String.raw`(?:\b[0-9a-fA-F]{1,4})?::(?:[0-9a-fA-F]{1,4}:)*[0-9a-fA-F]{1,4}(?!\w)`, // IPv6 with ::
    String.raw`\b(?:[0-9a-fA-F]{1,4}:){3,7}[0-9a-fA-F]{1,4}\b`, // full IPv6
  ].join('|'),
  'g',
);
const HOST_PORT = /\b(localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+):\d{2,5}\b/gi;

const URL_RE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"`]+/gi;

/** Network addresses (database URLs, IPv4/IPv6 with port, host:port) replaced by `<address>`. */
export function redactAddresses(msg: string): string {
  return msg.replace(URL_RE, '<address>').replace(ADDRESS, '<address>').replace(HOST_PORT, '<address>');
}

/** First path segments of file system paths (API routes start with /loki, /api, /otlp, /ready, …: never these). */
const FS_ROOTS = new Set([
  'usr',
  'opt',
  'var',
  'tmp',
  'work',
  'home',
  'root',
  'data',
  'srv',
  'etc',
  'proc',
  'mnt',
  'snap',
  'app',
  'dist',
  'private',
  'Users',
  'nix',
  'workspace',
]);
const PATH = /(?:file:\/\/)?(?:[A-Za-z]:)?(?:\/[^\s/:'"`()<>,;]+){2,}\/?/g;

function isFsPath(p: string): boolean {
  if (p.startsWith('file://')) return true;
  if (/node_modules|\.(?:[cm]?js|ts|node|wasm|duckdb|db|sqlite|wal)\b/.test(p)) return true;
  const first = p.replace(/^[A-Za-z]:/, '').split('/')[1] ?? '';
  if (FS_ROOTS.has(first)) return true;
  for (const dir of [process.cwd(), tmpdir(), homedir()]) if (dir.length > 1 && p.startsWith(dir)) return true;
  return false;
}

/**
 * A message safe for an error body: no stack trace (the lines from the first `    at …` on), no file system paths
 * (replaced by `<path>`), no control characters but newline and tab, at most 4 KiB; for 5xx, no network addresses.
 */
export function sanitizeErrorMessage(message: string, status = 500): string {
  let m = message;
  const stack = m.search(/\n\s+at (?:\S+ \(|\/|file:|node:|<anonymous>|async )/);
  if (stack >= 0) m = m.slice(0, stack);
  // an emscripten/V8 abort dump ("Aborted(...)", "RuntimeError: ...") or a bare "at" frame on the first line
  m = m.replace(/\s+at (?:\S+ )?\(?(?:file:\/\/|\/|node:)[^\s)]*\)?/g, '');
  m = m.replace(PATH, (p) => (isFsPath(p) ? '<path>' : p));
  if (status >= 500) m = redactAddresses(m);
  m = m.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  if (m.length > 4096) m = m.slice(0, 4096) + '…';
  return m;
}
