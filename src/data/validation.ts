// Syntax errors as editor markers: the client-side grammar answers at once, the backend's parser (`validate`) is the
// source of truth and replaces it when it answers.

import type { ValidationResult } from '../types';
import { findSyntaxError, positionToOffset } from './logql';

export interface Marker {
  from: number;
  to: number;
  message: string;
}

export function clientMarkers(expr: string): Marker[] {
  const err = findSyntaxError(expr);
  return err ? [err] : [];
}

/** Markers from the backend's validate answer; undefined when the backend did not answer (keep client markers). */
export function backendMarkers(expr: string, res: ValidationResult | undefined): Marker[] | undefined {
  if (!res) {
    return undefined;
  }
  if (!res.error) {
    return res.valid === true || res.ok === true ? [] : undefined;
  }
  const e = res.error;
  let from = e.from;
  if (from === undefined && e.line !== undefined && e.column !== undefined) {
    from = positionToOffset(expr, e.line, e.column);
  }
  from = Math.min(Math.max(0, from ?? 0), expr.length);
  let to = e.to ?? from;
  if (to <= from) {
    const tok = expr.slice(from).match(/^\S+/)?.[0];
    to = Math.min(expr.length, from + (tok?.length ?? 1));
  }
  return [{ from, to, message: e.message }];
}
