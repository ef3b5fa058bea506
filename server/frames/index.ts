export { encodeFrame, frameToTable } from './arrow';
export type { Frame, FrameField, FrameFieldType, FrameMeta, Notice } from './arrow';
export {
  TYPE_VERSION,
  applyLegendFormat,
  formatLabels,
  logsFrame,
  numericFrames,
  resultFrames,
  timeSeriesFrames,
} from './build';
export type { FrameOptions } from './build';
export { frameDataJSON, frameSchemaJSON, frameToJSON } from './json';
