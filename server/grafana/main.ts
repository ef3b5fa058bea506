// Entry of the single executable `gpx_logqlsql_<os>_<arch>` that Grafana starts: plugin mode only.
import { defaultEngineFactory } from './engineFactory';
import { runPluginMode } from './plugin';
import { applyServerAllocatorSettings } from '../util/allocator';

applyServerAllocatorSettings();

void runPluginMode({ engineFactory: defaultEngineFactory });
