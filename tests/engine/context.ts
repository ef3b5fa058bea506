import type { Engine } from '../../server/engine/engine';
import { newStats, type ExecContext } from '../../server/engine/context';

/** An execution context on `engine`, with everything beyond selectors and line filters in SQL (pushdown = true) or
 *  nothing of it (false): tests compare the two paths. */
export function execContext(engine: Engine, query: string, pushdown: boolean): ExecContext {
  return {
    driver: engine.driver,
    dialect: engine.dialect,
    catalog: engine.catalog,
    stats: newStats(),
    query,
    execute: true,
    pushdown,
  };
}
