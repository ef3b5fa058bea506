// The compactor's schedule, as Loki's (compaction_interval, delete_request_cancel_period): retention runs once at
// start and then every interval; a delete request is applied as soon as its cancel period is over (a timer set when
// it is received), and every retention pass also applies any due request left from before a restart.
import type { EngineApi } from '../engine/types';
import { applyRetention } from './apply';
import { listDeleteRequests, processDueDeleteRequests } from './requests';
import { RetentionPolicy, type RetentionConfig } from './rules';

export interface CompactorOptions {
  /** global period and stream rules; default: keep everything */
  retention?: RetentionConfig;
  /** ms between retention passes (Loki's compaction_interval, default 10 min) */
  intervalMs?: number;
  /** ms during which a delete request can be cancelled before it is applied (Loki: delete_request_cancel_period,
   *  24 h there; default 10 min here, 0 applies requests at once) */
  cancelPeriodMs?: number;
  /** the clock, ms since the epoch (tests) */
  nowMs?: () => number;
}

export const DEFAULT_COMPACTION_INTERVAL_MS = 10 * 60_000;
export const DEFAULT_CANCEL_PERIOD_MS = 10 * 60_000;

export interface CompactorLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const silent: CompactorLog = { info: () => undefined, error: () => undefined };

/** Engines that expose their database for maintenance (Engine, and tenant proxies over it). */
export type MaintainableEngine = EngineApi & Required<Pick<EngineApi, 'maintain'>>;

export function isMaintainable(e: EngineApi): e is MaintainableEngine {
  return typeof e.maintain === 'function';
}

export class Compactor {
  readonly policy: RetentionPolicy;
  readonly intervalMs: number;
  readonly cancelPeriodMs: number;
  private readonly nowMs: () => number;
  private timer: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** requests with a timer set (a restart's pending requests are found by every pass) */
  private readonly scheduled = new Set<string>();
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    opts: CompactorOptions,
    /** the databases to maintain (the server's engine, or every tenant seen so far) */
    private readonly targets: () => Promise<EngineApi[]>,
    private readonly log: CompactorLog = silent,
  ) {
    this.policy = new RetentionPolicy(opts.retention ?? { period: 0n, streams: [] });
    this.intervalMs = opts.intervalMs ?? DEFAULT_COMPACTION_INTERVAL_MS;
    this.cancelPeriodMs = opts.cancelPeriodMs ?? DEFAULT_CANCEL_PERIOD_MS;
    this.nowMs = opts.nowMs ?? Date.now;
  }

  now(): bigint {
    return BigInt(Math.floor(this.nowMs()));
  }

  /** A pass now, then one every interval. */
  start(): void {
    if (this.timer || this.stopped) return;
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.running;
  }

  /** Retention and due delete requests on every target; a pass already running is awaited, not repeated. */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    for (const engine of await this.targets()) {
      if (this.stopped) return;
      await this.maintain(engine, true);
    }
  }

  /** Apply due delete requests of one engine after `delayMs` (the cancel period of a request just received). */
  scheduleDeletes(engine: EngineApi, delayMs: number, requestId: string): void {
    if (this.stopped || this.scheduled.has(requestId)) return;
    this.scheduled.add(requestId);
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        this.scheduled.delete(requestId);
        void this.maintain(engine, false);
      },
      // a little late rather than early: the request must be past its cancel period when the timer runs
      Math.max(0, delayMs) + 5,
    );
    t.unref();
    this.timers.add(t);
  }

  private async maintain(engine: EngineApi, retention: boolean): Promise<void> {
    if (!isMaintainable(engine)) return;
    try {
      await engine.maintain(async (t) => {
        if (t.mapped) return;
        if (retention && this.policy.enabled) {
          const started = performance.now();
          const r = await applyRetention(t, this.policy, this.now() * 1_000_000n);
          if (r.deleted > 0 || r.droppedPartitions > 0) {
            this.log.info({ ...r, ms: Math.round(performance.now() - started) }, 'retention applied');
          }
        }
        const done = await processDueDeleteRequests(t, {
          cancelPeriodMs: BigInt(this.cancelPeriodMs),
          nowMs: this.now(),
        });
        for (const r of done) {
          this.log.info(
            { request_id: r.requestId, query: r.query, deleted: r.deletedLines },
            'delete request processed',
          );
        }
        // requests received before a restart: wake up when the next one falls due
        if (!retention) return;
        const next = (await listDeleteRequests(t)).filter((r) => r.status === 'received');
        for (const r of next) {
          this.scheduleDeletes(engine, Number(r.createdMs + BigInt(this.cancelPeriodMs) - this.now()), r.requestId);
        }
      });
    } catch (e) {
      this.log.error({ err: e }, 'retention / delete request processing failed');
    }
  }
}
