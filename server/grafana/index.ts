// The Grafana backend-plugin protocol adapter. Entry points:
//   runPluginMode()                         — when started by Grafana (env grafana_plugin_type set)
//   startGrpcServer(factory, host, port)    — server mode: `logqlsql serve --grpc HOST:PORT`
export { runPluginMode, isPluginMode, checkPluginEnv } from './plugin';
export { defaultEngineFactory, tenantEngineFactory } from './engineFactory';
export { startGrpcServer, parseHostPort, MAX_MESSAGE_BYTES } from './server';
export type { GrpcPluginServer, GrpcServerOptions } from './server';
export { parseSettings, InstanceCache, SettingsError } from './settings';
export type { DataSourceConfig, DataSourceJsonData, EngineFactory, TableMapping } from './settings';
export { handleResource } from './resources';
export type { ResourceRequest, ResourceResponse } from './resources';
export { createHclogLogger } from './hclog';
export type { Logger } from './hclog';
export { prepareQuery, calculateStepMs } from './query';
