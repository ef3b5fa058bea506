// Loki push API, JSON flavour: POST /loki/api/v1/push with
//   {"streams":[{"stream":{"label":"value",…},"values":[["<ts ns>","<line>"], ["<ts ns>","<line>",{"k":"v"}],…]},…]}
// optionally gzip- or deflate-compressed. Decoding validates the whole payload before anything is written: the
// first problem throws a PushValidationError (HTTP 400) naming the stream/entry index and what is wrong.

import { kMaxLength } from 'node:buffer';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { Labels, LogEntry, PushStream } from '../engine/types';

export class PushValidationError extends Error {
  override readonly name = 'PushValidationError';
  constructor(
    message: string,
    /** HTTP status to answer with */
    readonly status: number = 400,
  ) {
    super(message);
  }
}

export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const INT64_MAX = 9223372036854775807n;
const TS_RE = /^[0-9]{1,19}$/;

function isGzip(body: Uint8Array): boolean {
  return body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
}

/** Most bytes a compressed push may expand to unless told otherwise (the server's body limit; limits.ts). */
export const DEFAULT_MAX_DECOMPRESSED_SIZE = 64 * 1024 * 1024;

/** The answer to a body that expands past max_decompressed_size (413, nothing decoded). */
export class BodyTooLargeError extends PushValidationError {
  constructor(limit: number) {
    super(
      `request body too large: the decompressed body exceeds the limit of ${limit} bytes (max_decompressed_size)`,
      413,
    );
  }
}

/** zlib's `maxOutputLength` for a limit (0 = none). */
function outputCap(maxSize: number): number {
  return maxSize > 0 ? Math.min(maxSize, kMaxLength) : kMaxLength;
}

/** gunzip/inflate `body`, stopping at `maxSize` bytes of output (BodyTooLargeError past it). */
export function inflateBounded(body: Buffer, kind: 'gzip' | 'deflate', maxSize: number, what: string = kind): Buffer {
  try {
    const opts = { maxOutputLength: outputCap(maxSize) };
    return kind === 'gzip' ? gunzipSync(body, opts) : inflateSync(body, opts);
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new BodyTooLargeError(maxSize);
    }
    throw new PushValidationError(`invalid ${what} body: ${(e as Error).message}`);
  }
}

/**
 * Undo Content-Encoding. Bodies that start with the gzip magic are gunzipped even without the header. The output
 * is bounded by `maxDecompressedSize` (0 = no bound): a small body must not be able to claim gigabytes.
 */
export function decodeContentEncoding(
  body: Buffer,
  contentEncoding?: string,
  maxDecompressedSize = DEFAULT_MAX_DECOMPRESSED_SIZE,
): Buffer {
  const enc = (contentEncoding ?? '').trim().toLowerCase();
  if (enc === 'gzip' || enc === 'x-gzip' || ((enc === '' || enc === 'identity') && isGzip(body))) {
    return inflateBounded(body, 'gzip', maxDecompressedSize, enc || 'gzip');
  }
  if (enc === 'deflate') return inflateBounded(body, 'deflate', maxDecompressedSize);
  if (enc === '' || enc === 'identity') return body;
  throw new PushValidationError(
    `unsupported Content-Encoding ${JSON.stringify(contentEncoding)} (gzip, deflate or none)`,
    415,
  );
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Validate a label set; labels with an empty value are dropped (as in Prometheus/Loki). */
export function validateLabels(raw: unknown, where: string): Labels {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PushValidationError(
      `${where}: "stream" must be an object of label names to string values, got ${kind(raw)}`,
    );
  }
  const labels: Labels = {};
  let n = 0;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!LABEL_NAME_RE.test(k)) {
      throw new PushValidationError(
        `${where}: invalid label name ${JSON.stringify(k)} (must match [a-zA-Z_][a-zA-Z0-9_]*)`,
      );
    }
    if (typeof v !== 'string') {
      throw new PushValidationError(`${where}: label ${k} must have a string value, got ${kind(v)}`);
    }
    if (v === '') continue;
    labels[k] = v;
    n++;
  }
  if (n === 0)
    throw new PushValidationError(
      `${where}: empty label set (a stream needs at least one label with a non-empty value)`,
    );
  return labels;
}

/** Parse a nanosecond timestamp string exactly; undefined when invalid. */
export function parseTimestampNs(s: unknown): bigint | undefined {
  if (typeof s !== 'string' || !TS_RE.test(s)) return undefined;
  const v = BigInt(s);
  return v > INT64_MAX ? undefined : v;
}

function validateMetadata(raw: unknown, where: string): Labels | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PushValidationError(`${where}: structured metadata must be an object of string values, got ${kind(raw)}`);
  }
  let md: Labels | undefined;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!LABEL_NAME_RE.test(k)) {
      throw new PushValidationError(
        `${where}: invalid structured metadata name ${JSON.stringify(k)} (must match [a-zA-Z_][a-zA-Z0-9_]*)`,
      );
    }
    if (typeof v !== 'string') {
      throw new PushValidationError(`${where}: structured metadata ${k} must be a string, got ${kind(v)}`);
    }
    (md ??= {})[k] = v;
  }
  return md;
}

/** Validate an already-parsed push payload (JSON shape) and convert it. */
export function validatePushPayload(payload: unknown): PushStream[] {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new PushValidationError(`push body must be a JSON object with a "streams" array, got ${kind(payload)}`);
  }
  const streams = (payload as { streams?: unknown }).streams;
  if (!Array.isArray(streams)) {
    throw new PushValidationError(`push body: "streams" must be an array, got ${kind(streams)}`);
  }
  const out: PushStream[] = new Array(streams.length);
  for (let i = 0; i < streams.length; i++) {
    const s = streams[i] as unknown;
    const where = `streams[${i}]`;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) {
      throw new PushValidationError(`${where}: must be an object with "stream" and "values", got ${kind(s)}`);
    }
    const so = s as { stream?: unknown; values?: unknown };
    if (so.stream === undefined) throw new PushValidationError(`${where}: missing "stream" (the label set)`);
    const labels = validateLabels(so.stream, where);
    const values = so.values;
    if (!Array.isArray(values)) {
      throw new PushValidationError(
        `${where}: "values" must be an array of [timestamp, line] pairs, got ${kind(values)}`,
      );
    }
    const entries: LogEntry[] = new Array(values.length);
    for (let j = 0; j < values.length; j++) {
      const v = values[j] as unknown;
      if (!Array.isArray(v) || v.length < 2 || v.length > 3) {
        throw new PushValidationError(
          `${where}.values[${j}]: must be [timestamp, line] or [timestamp, line, {metadata}], got ${Array.isArray(v) ? `an array of ${v.length}` : kind(v)}`,
        );
      }
      const ts = parseTimestampNs(v[0]);
      if (ts === undefined) {
        throw new PushValidationError(
          `${where}.values[${j}][0]: timestamp ${JSON.stringify(v[0])} is not an integer string of nanoseconds since the epoch`,
        );
      }
      const line = v[1];
      if (typeof line !== 'string') {
        throw new PushValidationError(`${where}.values[${j}][1]: log line must be a string, got ${kind(line)}`);
      }
      const metadata = v.length === 3 ? validateMetadata(v[2], `${where}.values[${j}][2]`) : undefined;
      entries[j] = metadata ? { ts, line, metadata } : { ts, line };
    }
    out[i] = { labels, entries };
  }
  return out;
}

/** Decode a Loki JSON push body (gzip/deflate per Content-Encoding, or sniffed gzip). Throws PushValidationError. */
export function decodePushJson(
  body: Buffer,
  contentEncoding?: string,
  maxDecompressedSize = DEFAULT_MAX_DECOMPRESSED_SIZE,
): PushStream[] {
  const raw = decodeContentEncoding(body, contentEncoding, maxDecompressedSize);
  let payload: unknown;
  try {
    payload = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new PushValidationError(`invalid JSON in push body: ${(e as Error).message}`);
  }
  return validatePushPayload(payload);
}
