export { DEMO_APPS, generateDemo, startTrickle, type DemoOptions, type TrickleOptions } from './generate';
export { loadDemo, newestDemoEntry, type DemoLoadOptions, type DemoLoadResult } from './load';
