// The default engine factory: one Engine per data source instance, opened from the settings' database URL.
import { Engine } from '../engine/engine';
import type { EngineApi } from '../engine/types';
import type { DataSourceConfig } from './settings';

export async function defaultEngineFactory(config: DataSourceConfig): Promise<EngineApi> {
  return Engine.open(config.dbUrl, { maxLimit: Math.max(5000, config.maxLines) });
}
