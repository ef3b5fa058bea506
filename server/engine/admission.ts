// How many queries run at once (Loki's querier.max_concurrent). The database parallelises each statement over the
// machine's cores already; what concurrent queries add is JavaScript work interleaved on the one event loop (row
// conversion, TypeScript stages, answer encoding). With twenty heavy queries in flight, `/ready` and pushes waited
// behind a slice of each; with a few running and the rest queued in arrival order, they wait behind a few slices,
// and no query finishes later than it would have in the crowd. Written here because it is a dozen lines: a FIFO of
// waiters with abort support, nothing a library would add.
import { AbortError } from '../sql/dialects/duckdb/driver';

export class Admission {
  private running = 0;
  private readonly waiting: { grant: () => void; signal?: AbortSignal; onAbort?: () => void }[] = [];

  constructor(readonly limit: number) {}

  /** Waits for a slot (FIFO); the returned function gives it back. Rejects when `signal` aborts first. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw new AbortError();
    if (this.running < this.limit) {
      this.running++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const w: (typeof this.waiting)[number] = { grant: resolve, signal };
      if (signal) {
        w.onAbort = () => {
          const i = this.waiting.indexOf(w);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new AbortError());
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiting.push(w);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) {
        // the slot passes straight to the next query: `running` is unchanged
        if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
        next.grant();
      } else this.running--;
    };
  }
}
