// A plugin executable over the in-memory FakeEngine, for protocol tests that must not depend on the SQL engine.
import { runPluginMode } from '../plugin';
import { FakeEngine } from '../testing';

void runPluginMode({ engineFactory: async () => new FakeEngine() });
