// Deterministic demo logs: several services with realistic formats, labels and level mix, plus error bursts.
//
//   api-gateway  JSON with nested fields (method, path, status, latency_ms, user.id, …), `level` also a label
//   web          logfmt (`level=info method=GET path=/ status=200 duration=123ms …`)
//   nginx        combined access log, IPv4 and IPv6 clients
//   postgres     PostgreSQL-style text (`2026-… UTC [123] LOG:  duration: 1.234 ms  statement: …`)
//   worker       a mix of JSON and plain text lines, `level` also a label
//   checkout     staging-only JSON service with non-ASCII messages
//
// Same options → same streams, same lines, same nanosecond timestamps. ~1 M lines generate in about a second.

import type { Labels, LogEntry, PushStream } from '../engine/types';
import { discoverFields, LOKI_DISCOVERY } from '../ingest/discover';

export interface DemoOptions {
  /** first timestamp, ns (inclusive) */
  start: bigint;
  /** last timestamp, ns (exclusive) */
  end: bigint;
  /** lines per minute across all services */
  linesPerMinute: number;
  seed: number;
}

type Level = 'debug' | 'info' | 'warn' | 'error';

/** mulberry32: small, fast, good enough for demo data. */
function rng(seed: number): () => number {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Ctx {
  r: () => number;
  pick<T>(xs: readonly T[]): T;
  int(lo: number, hi: number): number;
  hex(n: number): string;
}

function ctx(seed: number): Ctx {
  const r = rng(seed);
  return {
    r,
    pick: (xs) => xs[Math.floor(r() * xs.length)],
    int: (lo, hi) => lo + Math.floor(r() * (hi - lo + 1)),
    hex: (n) => {
      let s = '';
      while (s.length < n)
        s += Math.floor(r() * 0x100000000)
          .toString(16)
          .padStart(8, '0');
      return s.length === n ? s : s.slice(0, n);
    },
  };
}

const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
const API_PATHS = [
  '/api/v1/orders',
  '/api/v1/users',
  '/api/v1/cart',
  '/api/v1/products',
  '/api/v1/search',
  '/api/v1/payments',
  '/healthz',
];
const WEB_PATHS = [
  '/',
  '/login',
  '/logout',
  '/products',
  '/product/42',
  '/cart',
  '/checkout',
  '/static/app.js',
  '/favicon.ico',
];
const REGIONS = ['eu-west', 'us-east', 'ap-northeast', 'sa-east'];
const UAS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'curl/8.5.0',
  'Grafana/12.1.0',
  'kube-probe/1.30',
];
const API_MSGS: Record<Level, readonly string[]> = {
  debug: ['cache lookup', 'token validated', 'routing request'],
  info: ['request done', 'order created', '주문 생성', 'user logged in', 'payment authorized'],
  warn: ['slow upstream', 'retrying request', 'rate limit near', 'deprecated API version'],
  error: ['upstream timeout', 'payment declined', 'database connection refused', 'internal error'],
};
const WORKER_JOBS = ['send-email', 'resize-image', 'sync-inventory', 'generate-invoice', 'reindex-search'];
const SQL = [
  'SELECT * FROM orders WHERE user_id = $1',
  'UPDATE inventory SET qty = qty - 1 WHERE sku = $1',
  'INSERT INTO events (kind, payload) VALUES ($1, $2)',
  'SELECT count(*) FROM sessions WHERE expires_at > now()',
];
const CHECKOUT_MSGS = [
  'Bestellung abgeschlossen ✓',
  'commande validée',
  'pedido recibido — gracias',
  'корзина обновлена',
  '注文を受け付けました',
];

interface Service {
  labels: Omit<Labels, 'level' | 'pod'>;
  pods: string[];
  weight: number;
  /** put the level into the stream labels */
  levelLabel: boolean;
  /** probability of each level in normal times: debug, info, warn (rest error) */
  mix: [number, number, number];
  line(c: Ctx, level: Level, tsNs: bigint, burst: boolean): string;
}

function ipv4(c: Ctx): string {
  return `${c.pick([10, 172, 192, 203, 81])}.${c.int(0, 255)}.${c.int(0, 255)}.${c.int(1, 254)}`;
}
function ipv6(c: Ctx): string {
  return `2001:db8:${c.hex(4)}:${c.hex(2)}::${c.hex(3)}`;
}
function statusFor(c: Ctx, level: Level): number {
  if (level === 'error') return c.pick([500, 502, 503, 504]);
  if (level === 'warn') return c.pick([400, 401, 404, 429]);
  return c.pick([200, 200, 200, 200, 201, 204, 304]);
}
function latency(c: Ctx, level: Level, burst: boolean): number {
  // log-normal-ish: mostly tens of ms, a long tail; errors and bursts slower
  const base = Math.exp(c.r() * 4 + 1) * (level === 'error' ? 8 : level === 'warn' ? 3 : 1) * (burst ? 4 : 1);
  return Math.round(base * 1000) / 1000;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}
function clfTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

function pods(app: string, n: number, c: Ctx): string[] {
  const rs = c.hex(9);
  return Array.from({ length: n }, () => `${app}-${rs}-${c.hex(5)}`);
}

function services(c: Ctx): Service[] {
  return [
    {
      labels: { service_name: 'api-gateway', app: 'api-gateway', env: 'prod', namespace: 'shop' },
      pods: pods('api-gateway', 3, c),
      weight: 30,
      levelLabel: true,
      mix: [0.08, 0.8, 0.08],
      line: (c, level, _ts, burst) => {
        const method = c.pick(METHODS);
        const path = c.pick(API_PATHS) + (c.r() < 0.3 ? `/${c.int(1, 999)}` : '');
        const status = statusFor(c, level);
        const lat = latency(c, level, burst);
        const bytes = c.int(80, 20000);
        const tags = c.r() < 0.5 ? '[]' : '["checkout","v2"]';
        return `{"level":"${level}","msg":"${c.pick(API_MSGS[level])}","method":"${method}","path":"${path}","status":${status},"latency_ms":${lat},"bytes":${bytes},"user":{"id":"u${c.int(1, 500)}","region":"${c.pick(REGIONS)}"},"tags":${tags},"client_ip":"${ipv4(c)}","trace_id":"${c.hex(16)}"}`;
      },
    },
    {
      labels: { service_name: 'web', app: 'web', env: 'prod', namespace: 'shop' },
      pods: pods('web', 2, c),
      weight: 20,
      levelLabel: false,
      mix: [0.1, 0.78, 0.08],
      line: (c, level, _ts, burst) => {
        const status = statusFor(c, level);
        const ms = Math.round(latency(c, level, burst));
        const err =
          level === 'error'
            ? ` err="${c.pick(['context deadline exceeded', 'template: missing key', 'dial tcp 10.0.3.7:5432: connection refused'])}"`
            : '';
        return `level=${level} method=${c.pick(METHODS)} path=${c.pick(WEB_PATHS)} status=${status} duration=${ms}ms bytes=${c.int(200, 90000)} user=u${c.int(1, 500)} msg="${level === 'error' ? 'request failed' : 'handled request'}"${err}`;
      },
    },
    {
      labels: { service_name: 'nginx', app: 'nginx', env: 'prod', namespace: 'ingress' },
      pods: pods('nginx-ingress', 2, c),
      weight: 25,
      levelLabel: false,
      mix: [0, 0.9, 0.07],
      line: (c, level, ts) => {
        const ip = c.r() < 0.25 ? ipv6(c) : ipv4(c);
        const ms = Number(ts / 1_000_000n);
        const method = c.pick(METHODS);
        const path = c.pick(c.r() < 0.5 ? WEB_PATHS : API_PATHS);
        return `${ip} - - [${clfTime(ms)}] "${method} ${path} HTTP/1.1" ${statusFor(c, level)} ${c.int(0, 50000)} "-" "${c.pick(UAS)}" ${(c.int(1, 3000) / 1000).toFixed(3)}`;
      },
    },
    {
      labels: { service_name: 'postgres', app: 'postgres', env: 'prod', namespace: 'db' },
      pods: ['postgres-0'],
      weight: 8,
      levelLabel: false,
      mix: [0, 0.9, 0.07],
      line: (c, level, ts) => {
        const d = new Date(Number(ts / 1_000_000n));
        const stamp = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} UTC`;
        const pid = c.int(100, 9999);
        if (level === 'error') {
          return `${stamp} [${pid}] ERROR:  ${c.pick(['duplicate key value violates unique constraint "orders_pkey"', 'deadlock detected', 'canceling statement due to statement timeout'])}`;
        }
        if (level === 'warn') return `${stamp} [${pid}] WARNING:  there is no transaction in progress`;
        if (c.r() < 0.15)
          return `${stamp} [${pid}] LOG:  checkpoint complete: wrote ${c.int(10, 3000)} buffers (${(c.r() * 10).toFixed(1)}%)`;
        return `${stamp} [${pid}] LOG:  duration: ${(c.r() * 200).toFixed(3)} ms  statement: ${c.pick(SQL)}`;
      },
    },
    {
      labels: { service_name: 'worker', app: 'worker', env: 'prod', namespace: 'jobs' },
      pods: pods('worker', 2, c),
      weight: 12,
      levelLabel: true,
      mix: [0.15, 0.7, 0.1],
      line: (c, level, _ts, burst) => {
        const job = c.pick(WORKER_JOBS);
        const id = c.int(10000, 99999);
        if (c.r() < 0.5) {
          return `{"level":"${level}","job":"${job}","job_id":${id},"attempt":${level === 'error' ? c.int(2, 5) : 1},"duration_ms":${latency(c, level, burst)},"msg":"${level === 'error' ? 'job failed' : 'job finished'}"}`;
        }
        if (level === 'error')
          return `ERROR job ${job} #${id} failed: ${c.pick(['timeout after 30s', 'SMTP 451 try again later', 'out of memory'])}`;
        if (level === 'warn') return `WARN job ${job} #${id} retry scheduled in ${c.int(1, 60)}s`;
        return `${level.toUpperCase()} job ${job} #${id} done in ${c.int(5, 5000)}ms`;
      },
    },
    {
      labels: { service_name: 'checkout', app: 'checkout', env: 'staging', namespace: 'shop-staging' },
      pods: pods('checkout', 1, c),
      weight: 5,
      levelLabel: false,
      mix: [0.2, 0.65, 0.1],
      line: (c, level, _ts, burst) =>
        `{"severity":"${level}","message":"${c.pick(CHECKOUT_MSGS)}","cart":{"items":${c.int(1, 9)},"total_eur":${(c.r() * 300).toFixed(2)}},"latency_ms":${latency(c, level, burst)}}`,
    },
  ];
}

const MINUTE_NS = 60_000_000_000n;
/** Error bursts: in every 3-hour period, one burst of 5 minutes (position fixed by the seed). */
const BURST_PERIOD_NS = 3n * 60n * MINUTE_NS;
const BURST_LEN_NS = 5n * MINUTE_NS;

/** The `app` label of every demo stream (the demo's streams are found by it). */
export const DEMO_APPS = ['api-gateway', 'web', 'nginx', 'postgres', 'worker', 'checkout'] as const;

export function generateDemo(opts: DemoOptions): PushStream[] {
  const { start, end, linesPerMinute, seed } = opts;
  if (end <= start || linesPerMinute <= 0) return [];
  const c = ctx(seed);
  const svcs = services(ctx(seed ^ 0x5eed));
  const totalWeight = svcs.reduce((n, s) => n + s.weight, 0);
  const cum: number[] = [];
  let acc = 0;
  for (const s of svcs) cum.push((acc += s.weight / totalWeight));
  const burstOffset =
    BigInt(Math.floor(rng(seed ^ 0xb0b)() * Number((BURST_PERIOD_NS - BURST_LEN_NS) / 1_000_000_000n))) *
    1_000_000_000n;

  const total = Math.max(1, Math.round((Number(end - start) / 60e9) * linesPerMinute));
  const span = end - start;
  const step = span / BigInt(total); // mean gap, ns
  const stepNum = Number(step);
  // Offsets from `start` fit a double exactly up to 2^53 ns (~104 days): then the hot loop needs one BigInt
  // conversion per line instead of BigInt multiply/modulo; longer spans take the exact BigInt path.
  const numeric = Number(span) < 2 ** 53;
  const periodNum = Number(BURST_PERIOD_NS);
  const burstFrom = Number(burstOffset);
  const burstTo = burstFrom + Number(BURST_LEN_NS);
  const byStream = new Map<string, PushStream>();
  const streamOf = (s: Service, pod: string, level: Level): PushStream => {
    const key = `${s.labels.app}\x00${s.labels.env}\x00${pod}\x00${s.levelLabel ? level : ''}`;
    let ps = byStream.get(key);
    if (!ps) {
      const labels: Labels = { ...s.labels, pod };
      if (s.levelLabel) labels.level = level;
      ps = { labels, entries: [] };
      byStream.set(key, ps);
    }
    return ps;
  };

  for (let i = 0; i < total; i++) {
    // evenly spaced slots with jitter inside the slot: ascending, unique-ish, exact ns
    const jitterNum = stepNum > 1 ? Math.floor(c.r() * stepNum) : 0;
    let ts: bigint;
    let burst: boolean;
    if (numeric) {
      const off = i * stepNum + jitterNum;
      ts = start + BigInt(off);
      const inPeriod = off % periodNum;
      burst = inPeriod >= burstFrom && inPeriod < burstTo;
    } else {
      ts = start + BigInt(i) * step + BigInt(jitterNum);
      const inPeriod = (ts - start) % BURST_PERIOD_NS;
      burst = inPeriod >= burstOffset && inPeriod < burstOffset + BURST_LEN_NS;
    }
    const u = c.r();
    let si = 0;
    while (u > cum[si] && si < svcs.length - 1) si++;
    const s = svcs[si];
    const lv = c.r();
    let level: Level;
    if (burst && si !== 3 && lv < 0.35) level = 'error';
    else if (lv < s.mix[0]) level = 'debug';
    else if (lv < s.mix[0] + s.mix[1]) level = 'info';
    else if (lv < s.mix[0] + s.mix[1] + s.mix[2]) level = 'warn';
    else level = 'error';
    const pod = s.pods[Math.floor(c.r() * s.pods.length)];
    const line = s.line(c, level, ts, burst);
    // Template literals build rope strings (a tree of pieces); reading a character flattens the rope now, which
    // keeps 1M lines from holding ~15 heap objects each (GC time dominated generation without this).
    line.charCodeAt(0);
    const entry: LogEntry = { ts, line };
    streamOf(s, pod, level).entries.push(entry);
  }
  return [...byStream.values()];
}

export interface TrickleOptions {
  /** lines per second (default 5) */
  linesPerSecond?: number;
  /** push interval (default 1000 ms) */
  intervalMs?: number;
  seed?: number;
  /** called when a push fails (default: ignore) */
  onError?: (e: unknown) => void;
  /** ns: the first push covers [from, now) — where loadDemo stopped, so that no gap opens (default: now) */
  from?: bigint;
}

interface Pusher {
  push(streams: PushStream[]): Promise<unknown>;
}

/** Push a few new demo lines every interval, timestamped now, with detected_level as Loki adds it. Returns a function
 * that stops it. */
export function startTrickle(ingester: Pusher, opts: TrickleOptions = {}): () => void {
  const lps = opts.linesPerSecond ?? 5;
  const interval = opts.intervalMs ?? 1000;
  let seed = opts.seed ?? 1;
  let last = opts.from ?? BigInt(Date.now()) * 1_000_000n;
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    const now = BigInt(Date.now()) * 1_000_000n;
    if (now <= last) return;
    const streams = generateDemo({ start: last, end: now, linesPerMinute: lps * 60, seed: seed++ });
    discoverFields(streams, LOKI_DISCOVERY);
    last = now;
    if (streams.length > 0) ingester.push(streams).catch((e) => opts.onError?.(e));
  }, interval);
  timer.unref?.();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
