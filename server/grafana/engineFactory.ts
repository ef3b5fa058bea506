// The default engine factory: one Engine per data source instance, opened from the settings' database URL and table
// mapping (native schema, or an existing flat / map-labels / OTel table).
import { Engine } from '../engine/engine';
import type { EngineApi } from '../engine/types';
import type { MappingConfig } from '../schema/mapping';
import { SettingsError, type DataSourceConfig, type TableMapping } from './settings';

/** The config editor's table mapping → the engine's mapping (undefined: the native schema). */
export function mappingOf(m: TableMapping): MappingConfig | undefined {
  const need = (v: string | undefined, what: string): string => {
    if (!v) throw new SettingsError(`the ${m.mode} table mapping needs ${what}`);
    return v;
  };
  switch (m.mode) {
    case 'native':
      return undefined;
    case 'otel':
      return { layout: 'otel', table: m.table || undefined };
    case 'flat':
      return {
        layout: 'flat',
        table: need(m.table, 'a table'),
        timestamp: need(m.timestampColumn, 'a timestamp column'),
        line: need(m.bodyColumn, 'a line (body) column'),
        labels: m.labelColumns?.length ? m.labelColumns : undefined,
      };
    case 'map':
      return {
        layout: 'map',
        table: need(m.table, 'a table'),
        timestamp: need(m.timestampColumn, 'a timestamp column'),
        line: need(m.bodyColumn, 'a line (body) column'),
        labels: need(m.labelsColumn, 'a labels column'),
      };
  }
}

export async function defaultEngineFactory(config: DataSourceConfig): Promise<EngineApi> {
  return Engine.open(config.dbUrl, {
    maxLimit: Math.max(5000, config.maxLines),
    mapping: mappingOf(config.tableMapping),
    driver: config.tls ? { tls: config.tls } : undefined,
  });
}

/**
 * Server mode with `--tenants`: each data source reads and writes the tenant named in its settings (jsonData.tenant,
 * what the HTTP API takes from X-Scope-OrgID); a data source without one is refused, as Loki refuses a request
 * without X-Scope-OrgID.
 */
export function tenantEngineFactory(tenants: {
  engineFor(tenant: string): Promise<EngineApi>;
}): (config: DataSourceConfig) => Promise<EngineApi> {
  return async (config) => {
    const t = config.tenant;
    if (!t) {
      throw new SettingsError(
        'this server is multi-tenant (--tenants): set the tenant (X-Scope-OrgID) in the data source settings (jsonData.tenant)',
      );
    }
    if (!/^[A-Za-z0-9!\-_.*'()]{1,150}$/.test(t) || t === '.' || t === '..') {
      throw new SettingsError(`invalid tenant ID ${JSON.stringify(t)}`);
    }
    return tenants.engineFor(t);
  };
}
