// What retention and delete requests work on: one engine's database (a tenant's, when multi-tenancy is on), reached
// through EngineApi.maintain so that a tenant's database stays open while the work runs.
import type { Driver } from '../sql/driver';
import type { Dialect } from '../sql/dialect';
import type { StreamCatalog } from '../engine/streams';

export interface MaintenanceTarget {
  readonly driver: Driver;
  readonly dialect: Dialect;
  readonly catalog: StreamCatalog;
  /** set when the engine reads an existing table (schema/mapping.ts): nothing may be deleted there */
  readonly mapped?: unknown;
}

/** One chain of maintenance work per database: retention passes and delete requests never overlap. */
const chains = new WeakMap<Driver, Promise<unknown>>();

export function serialized<T>(t: MaintenanceTarget, fn: () => Promise<T>): Promise<T> {
  const prev = chains.get(t.driver) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  chains.set(
    t.driver,
    run.catch(() => undefined),
  );
  return run;
}
