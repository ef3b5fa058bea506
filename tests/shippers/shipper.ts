// Helpers for the real-shipper tests: a server on a random port over an in-memory DuckDB, and waiting for lines.
import type { FastifyInstance } from 'fastify';
import { Engine } from '../../server/engine/engine';
import { startServer, type StartOptions } from '../../server/http/server';

export interface Running {
  engine: Engine;
  app: FastifyInstance;
  base: string;
  port: number;
  close(): Promise<void>;
}

export async function runServer(opts: StartOptions = {}): Promise<Running> {
  const engine = await Engine.open('duckdb::memory:');
  const { app, address } = await startServer(engine, { ...opts, port: 0 });
  const port = Number(new URL(address).port);
  return {
    engine,
    app,
    base: address,
    port,
    async close() {
      await app.close();
      await engine.close();
    },
  };
}

/** Lines of `{selector}` over the last day, forward. */
export async function linesOf(
  engine: Engine,
  selector: string,
): Promise<{ labels: Record<string, string>; line: string; metadata?: Record<string, string> }[]> {
  const end = BigInt(Date.now() + 60_000) * 1_000_000n;
  const res = await engine.query({
    query: selector,
    start: end - 86_400_000_000_000n,
    end,
    instant: false,
    limit: 5000,
    direction: 'forward',
  });
  if (res.data.resultType !== 'streams') return [];
  return res.data.result.flatMap((s) =>
    s.entries.map((e) => ({ labels: s.labels, line: e.line, metadata: e.metadata })),
  );
}

export async function waitFor<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() - t0 > ms) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Skip loudly naming what is missing — or fail when CI=true (CI must have every shipper installed). */
export function missing(what: string | undefined): boolean {
  if (!what) return false;
  if (process.env.CI === 'true') throw new Error(`shipper test cannot run in CI: ${what}`);
  console.warn(`\n*** SKIPPED: ${what} ***\n`);
  return true;
}
