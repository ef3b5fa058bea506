// Admission control in front of the ingester: bounded memory and honest answers when the database cannot keep up.
//
// - Every push is counted (rows and line bytes) from the moment it is decoded until its commit returns. When the
//   rows or bytes waiting exceed the limits, new pushes get 429 Too Many Requests with Retry-After instead of
//   queueing without bound. (One push larger than the limit is still admitted when nothing else is waiting, so a big
//   push is slow rather than impossible.)
// - When writes fail (the database is down, the disk is full), pushes get 503 Service Unavailable with Retry-After 1.
//   While failing, one push at a time probes the database, at most one probe per `probeIntervalMs` (250 ms); the
//   others are refused at once without touching it. The interval stays short and never grows: a growing back-off
//   (1 s doubling to 30 s) kept refusing pushes for up to 30 s after the database was back (issue 10 item 9), and a
//   refused connection costs the database nothing. A push that waits longer than `commitTimeoutMs` also gets 503.
// - A push is answered 204 only after the ingester's COMMIT returned, so every acknowledged line is stored; a client
//   that retries after a 5xx or a dropped connection cannot duplicate lines, because the ingester stores identical
//   (stream, timestamp, line) entries once.

import { PushValidationError } from './decode';

export interface GateOptions {
  /** rows decoded but not yet committed before pushes are refused with 429 (default 1,000,000) */
  maxQueuedRows?: number;
  /** line bytes decoded but not yet committed before 429 (default 256 MiB) */
  maxQueuedBytes?: number;
  /** a push whose commit takes longer is answered 503 (its rows may still be committed; default 60 s) */
  commitTimeoutMs?: number;
  /** Retry-After for 429 (seconds, default 1) */
  retryAfterSeconds?: number;
  /** while writes fail, the least time between two pushes that probe the database (default 250 ms) */
  probeIntervalMs?: number;
  /** clock (tests) */
  now?: () => number;
}

/** An ingest refusal with the HTTP status and the Retry-After it should carry. */
export class IngestRefused extends Error {
  override readonly name = 'IngestRefused';
  constructor(
    readonly status: 429 | 503,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export interface GateStats {
  queuedRows: number;
  queuedBytes: number;
  inflight: number;
  refused429: number;
  refused503: number;
  failing: boolean;
}

const UNAVAILABLE_RE =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|connection|connect|terminat|shutting down|the database system is|starting up|recovery mode|too many clients|IO Error|I\/O error|No space left|disk full|read-only|Could not set lock|lock on file|database is locked|timeout/i;

/** Errors that mean "the database is unavailable" (back off) rather than "this push was rejected". */
export function isUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === 'DatabaseUnreachableError') return true;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && /^(08|53|57P)/.test(code)) return true; // PostgreSQL connection/resource/shutdown classes
  return UNAVAILABLE_RE.test(e.message) || (typeof code === 'string' && UNAVAILABLE_RE.test(code));
}

export class IngestGate {
  private queuedRows = 0;
  private queuedBytes = 0;
  private inflight = 0;
  private failures = 0;
  private failingUntil = 0;
  private probing = false;
  refused429 = 0;
  refused503 = 0;
  private readonly maxRows: number;
  private readonly maxBytes: number;
  private readonly timeoutMs: number;
  private readonly retryAfter: number;
  private readonly probeIntervalMs: number;
  private readonly now: () => number;

  constructor(opts: GateOptions = {}) {
    this.maxRows = opts.maxQueuedRows ?? 1_000_000;
    this.maxBytes = opts.maxQueuedBytes ?? 256 * 1024 * 1024;
    this.timeoutMs = opts.commitTimeoutMs ?? 60_000;
    this.retryAfter = opts.retryAfterSeconds ?? 1;
    this.probeIntervalMs = opts.probeIntervalMs ?? 250;
    this.now = opts.now ?? Date.now;
  }

  stats(): GateStats {
    return {
      queuedRows: this.queuedRows,
      queuedBytes: this.queuedBytes,
      inflight: this.inflight,
      refused429: this.refused429,
      refused503: this.refused503,
      failing: this.failures > 0,
    };
  }

  /** Back-off remaining in whole seconds (≥ 1). */
  private backoffSeconds(): number {
    return Math.max(1, Math.ceil((this.failingUntil - this.now()) / 1000));
  }

  /** Run `write` (the commit) under admission control. Rejects with IngestRefused (429/503) or the write's error. */
  async run<T>(rows: number, bytes: number, write: () => Promise<T>): Promise<T> {
    const t = this.now();
    let probe = false;
    if (t < this.failingUntil) {
      this.refused503++;
      throw new IngestRefused(503, 'the database is failing: push refused, retry later', this.backoffSeconds());
    }
    if (this.failures > 0) {
      // back-off over: let exactly one push probe the database
      if (this.probing) {
        this.refused503++;
        throw new IngestRefused(503, 'the database is recovering: push refused, retry later', 1);
      }
      this.probing = probe = true;
    }
    if (this.inflight > 0 && (this.queuedRows + rows > this.maxRows || this.queuedBytes + bytes > this.maxBytes)) {
      if (probe) this.probing = false;
      this.refused429++;
      throw new IngestRefused(
        429,
        `ingest queue is full (${this.queuedRows} rows, ${this.queuedBytes} bytes waiting for the database): retry later`,
        this.retryAfter,
      );
    }
    this.queuedRows += rows;
    this.queuedBytes += bytes;
    this.inflight++;
    let timer: NodeJS.Timeout | undefined;
    // the rows stay counted until the write itself settles, even when the client was answered 503 on a timeout
    const release = () => {
      this.queuedRows -= rows;
      this.queuedBytes -= bytes;
      this.inflight--;
    };
    let writing: Promise<T>;
    try {
      writing = write();
    } catch (e) {
      writing = Promise.reject(e);
    }
    writing.then(release, release);
    try {
      const result = await Promise.race([
        writing,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new IngestRefused(
                  503,
                  `the database did not commit within ${this.timeoutMs} ms: retry later`,
                  this.retryAfter,
                ),
              ),
            this.timeoutMs,
          );
        }),
      ]);
      this.failures = 0;
      this.failingUntil = 0;
      return result;
    } catch (e) {
      if (e instanceof PushValidationError || (e as { isUserError?: boolean }).isUserError) throw e;
      if (e instanceof IngestRefused) {
        this.refused503++;
        throw e;
      }
      if (!isUnavailable(e)) throw e; // a push the database rejects (500): no reason to refuse the others
      this.failures++;
      this.failingUntil = this.now() + this.probeIntervalMs;
      this.refused503++;
      throw new IngestRefused(503, `write failed: ${(e as Error).message}`, this.backoffSeconds());
    } finally {
      clearTimeout(timer);
      if (probe) this.probing = false;
    }
  }
}
