export { generateDemo, startTrickle, type DemoOptions, type TrickleOptions } from './generate';
