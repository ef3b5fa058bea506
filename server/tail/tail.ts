// Live tail (GET /loki/api/v1/tail over a WebSocket), Loki's frame format:
//   {"streams":[{"stream":{…labels…},"values":[["<ts ns>","<line>"],…]}],"dropped_entries":null}
//
// A tailer first sends the newest `limit` entries since `start` (default one hour ago), oldest first, as Loki's
// querier does. Then it follows new entries from two sources, de-duplicated against each other:
// - pushes received by this process (the hub is notified after each commit): the tailer runs its query over the
//   exact time range of the pushed entries of matching streams and keeps results whose timestamps were pushed, so a
//   late line with an old timestamp is still tailed, as in Loki;
// - a poll every `pollMs` over (last poll, now − delay_for] for writers outside this process (another server on the
//   same PostgreSQL/ClickHouse).
// `delay_for` (≤ 5 s) holds entries back that long, as Loki does to let late lines arrive in order.

import type { EngineApi, Labels, PushStream, Stream } from '../engine/types';
import { parse } from '../logql/check';
import { compileMatchers, type StreamMatcher } from '../engine/streams';
import { LogQLError } from '../logql/errors';

export const MAX_DELAY_FOR_S = 5;
const LOOKBACK_NS = 3_600_000_000_000n;
const SEEN_TTL_MS = 10 * 60_000;

export interface TailRequest {
  query: string;
  /** ns */
  start: bigint;
  limit: number;
  delayForS: number;
}

export interface TailFrame {
  streams: { stream: Labels; values: [string, string][] }[];
  dropped_entries: null;
}

type Listener = (streams: PushStream[]) => void;

/** Fan-out of committed pushes to the tailers of this process. */
export class TailHub {
  private readonly listeners = new Set<Listener>();
  notify(streams: PushStream[]): void {
    for (const l of this.listeners) l(streams);
  }
  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  get size(): number {
    return this.listeners.size;
  }
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function entryKey(labels: Labels, ts: bigint, line: string): string {
  const keys = Object.keys(labels).sort();
  let k = '';
  for (const n of keys) k += n + '\x01' + labels[n] + '\x02';
  return k + '\x00' + ts + '\x00' + line;
}

/** Validate the query: a log query (no metric queries), as Loki requires for tail. */
export function tailMatcher(query: string): StreamMatcher {
  const expr = parse(query);
  if (expr.kind !== 'log')
    throw new LogQLError(
      'check',
      'tail requires a log query (a stream selector with an optional pipeline), not a metric query',
    );
  return compileMatchers(expr.matchers);
}

export interface TailerOptions {
  engine: EngineApi;
  hub?: TailHub;
  req: TailRequest;
  send: (frame: TailFrame) => void;
  onError: (e: unknown) => void;
  pollMs?: number;
  /** largest page per engine query (the engine's max limit) */
  pageLimit?: number;
}

/** One tail session. `start()` sends the history, then follows; `stop()` ends it. */
export class Tailer {
  private readonly matcher: StreamMatcher;
  private readonly seen = new Map<string, number>();
  private cursor = 0n;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly pollMs: number;
  private readonly pageLimit: number;

  constructor(private readonly o: TailerOptions) {
    this.matcher = tailMatcher(o.req.query);
    this.pollMs = o.pollMs ?? 1000;
    this.pageLimit = o.pageLimit ?? 5000;
  }

  async start(): Promise<void> {
    const { engine, req } = this.o;
    const end = nowNs() - BigInt(req.delayForS) * 1_000_000_000n;
    // history: newest `limit` since start, sent oldest first
    if (req.limit > 0 && req.start < end) {
      const res = await engine.query({
        query: req.query,
        start: req.start,
        end,
        instant: false,
        limit: req.limit,
        direction: 'backward',
      });
      if (res.data.resultType === 'streams') this.emit(res.data.result, undefined, true);
    }
    this.cursor = end;
    if (this.stopped) return;
    this.unsubscribe = this.o.hub?.subscribe((s) => this.onPush(s));
    this.schedulePoll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unsubscribe?.();
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        await task();
      } catch (e) {
        if (!this.stopped) this.o.onError(e);
      }
    });
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.enqueue(() => this.poll());
      this.enqueue(async () => this.schedulePoll());
    }, this.pollMs);
    this.timer.unref?.();
  }

  private onPush(streams: PushStream[]): void {
    const tss = new Set<bigint>();
    let min: bigint | undefined;
    let max: bigint | undefined;
    for (const s of streams) {
      if (!this.matcher(s.labels)) continue;
      for (const e of s.entries) {
        tss.add(e.ts);
        if (min === undefined || e.ts < min) min = e.ts;
        if (max === undefined || e.ts > max) max = e.ts;
      }
    }
    if (min === undefined || max === undefined) return;
    const from = min;
    const to = max + 1n;
    const run = () => this.enqueue(() => this.fetch(from, to, tss));
    if (this.o.req.delayForS > 0) setTimeout(run, this.o.req.delayForS * 1000).unref?.();
    else run();
  }

  private async poll(): Promise<void> {
    const to = nowNs() - BigInt(this.o.req.delayForS) * 1_000_000_000n;
    if (to <= this.cursor) return;
    const from = this.cursor;
    await this.fetch(from > to - LOOKBACK_NS ? from : to - LOOKBACK_NS, to, undefined);
    this.cursor = to;
  }

  /** Run the query forward over [from, to), page by page; send unseen entries (only pushed timestamps when given). */
  private async fetch(from: bigint, to: bigint, onlyTs: Set<bigint> | undefined): Promise<void> {
    let start = from;
    for (;;) {
      if (this.stopped) return;
      const res = await this.o.engine.query({
        query: this.o.req.query,
        start,
        end: to,
        instant: false,
        limit: this.pageLimit,
        direction: 'forward',
      });
      if (res.data.resultType !== 'streams') return;
      let n = 0;
      let last = start;
      for (const s of res.data.result) {
        for (const e of s.entries) {
          n++;
          if (e.ts > last) last = e.ts;
        }
      }
      this.emit(res.data.result, onlyTs, false);
      if (n < this.pageLimit || last <= start) return;
      start = last; // entries at `last` are re-read and de-duplicated by the seen set
    }
  }

  private emit(streams: Stream[], onlyTs: Set<bigint> | undefined, history: boolean): void {
    const nowMs = Date.now();
    const out: { stream: Labels; values: [string, string][]; first: bigint }[] = [];
    for (const s of streams) {
      const byLabels = new Map<string, { stream: Labels; values: [bigint, string][] }>();
      for (const e of s.entries) {
        if (onlyTs && !onlyTs.has(e.ts)) continue;
        const labels = e.metadata && Object.keys(e.metadata).length > 0 ? { ...s.labels, ...e.metadata } : s.labels;
        const k = entryKey(labels, e.ts, e.line);
        if (this.seen.has(k)) continue;
        this.seen.set(k, nowMs);
        const lk = e.metadata ? JSON.stringify(labels) : '';
        let g = byLabels.get(lk);
        if (!g) byLabels.set(lk, (g = { stream: labels, values: [] }));
        g.values.push([e.ts, e.line]);
      }
      for (const g of byLabels.values()) {
        g.values.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        out.push({ stream: g.stream, values: g.values.map(([t, l]) => [String(t), l]), first: g.values[0]![0] });
      }
    }
    if (this.seen.size > 200_000 || !history) this.prune(nowMs);
    if (out.length === 0) return;
    out.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    this.o.send({ streams: out.map(({ stream, values }) => ({ stream, values })), dropped_entries: null });
  }

  private prune(nowMs: number): void {
    for (const [k, t] of this.seen) {
      if (nowMs - t > SEEN_TTL_MS) this.seen.delete(k);
      else break; // insertion order: the rest are newer
    }
  }
}
