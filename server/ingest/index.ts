export {
  PushValidationError,
  decodePushJson,
  decodeContentEncoding,
  validatePushPayload,
  validateLabels,
  parseTimestampNs,
} from './decode';
export { Ingester, type PushResult, type IngesterOptions } from './ingester';
