// Small helpers shared by the OTLP decoder.
import type { Labels } from '../engine/types';
export { PushValidationError } from './decode';

/** A map key for a label set (sorted keys). */
export function canonicalKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}
