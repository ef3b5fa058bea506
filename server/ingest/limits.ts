// Ingest limits: what one push may carry, checked before anything is written. Named after Loki's limits_config /
// distributor settings (pkg/validation/limits.go, pkg/distributor/validator.go), with Loki's defaults except where
// noted, and Loki's error texts. One difference in kind: Loki drops the offending entries or streams and stores the
// rest (answering 400 all the same); here a push that breaks a limit is refused whole, so a 400 always means that
// nothing of it was stored.
//
//   max_decompressed_size      bytes a gzip/deflate/snappy body may expand to (Loki: distributor.max-decompressed-
//                              size, default 50 × its 100 MB max-recv-msg-size = 5000 MiB; here 64 MiB, the size an
//                              uncompressed push may have: a push is decoded in memory, and a 300 KB gzip body must
//                              not be able to claim gigabytes). Answered 413 before anything is parsed.
//   max_line_size              longest line in bytes (UTF-8), 256KB = 256,000 bytes (Loki's default; 0 = none).
//                              A longer line refuses the push (400) unless max_line_size_truncate is set: then it is
//                              cut to max_line_size bytes (on a character boundary), ending with
//                              max_line_size_truncate_identifier.
//   max_label_names_per_series 15 (service_name is not counted, as in Loki)
//   max_label_name_length      1024 bytes
//   max_label_value_length     2048 bytes
//   reject_old_samples         refuse entries older than reject_old_samples_max_age (1w). Loki's default is true;
//                              here false, because this server is made to load history (the conformance data set
//                              and the benchmark data are weeks old — nothing may reject old samples by default).
//   timestamp 0                always refused: it is what a client sends when it set no time, and Loki (with its
//                              default reject_old_samples) refuses it as too old.

import { InvalidArgumentError, Option } from 'commander';
import type { PushStream } from '../engine/types';
import { parseHumanBytes } from '../eval/pipeline/convert';
import { parsePromDuration } from '../logql/units';
import { canonicalLabels } from '../schema/native';
import { DEFAULT_MAX_DECOMPRESSED_SIZE, PushValidationError } from './decode';

export { DEFAULT_MAX_DECOMPRESSED_SIZE };

export interface IngestLimits {
  /** bytes a compressed body may expand to (0 = no limit) */
  maxDecompressedSize: number;
  /** longest line in UTF-8 bytes (0 = no limit) */
  maxLineSize: number;
  /** cut longer lines instead of refusing the push */
  maxLineSizeTruncate: boolean;
  /** appended to a cut line (counted in max_line_size) */
  maxLineSizeTruncateIdentifier: string;
  maxLabelNamesPerSeries: number;
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  rejectOldSamples: boolean;
  /** ns */
  rejectOldSamplesMaxAge: bigint;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxDecompressedSize: DEFAULT_MAX_DECOMPRESSED_SIZE,
  maxLineSize: 256_000,
  maxLineSizeTruncate: false,
  maxLineSizeTruncateIdentifier: '',
  maxLabelNamesPerSeries: 15,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 2048,
  rejectOldSamples: false,
  rejectOldSamplesMaxAge: 7n * 24n * 3600n * 1_000_000_000n,
};

/** Defaults overridden by the given settings. */
export function ingestLimits(partial: Partial<IngestLimits> = {}): IngestLimits {
  const out = { ...DEFAULT_INGEST_LIMITS };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** UTF-8 length of `s`, exact; cheap for the usual short strings. */
function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Is `s` longer than `max` UTF-8 bytes? (A UTF-16 unit is at most 3 UTF-8 bytes: most strings need no count.) */
function overBytes(s: string, max: number): boolean {
  if (s.length * 3 <= max) return false;
  if (s.length > max) return true;
  return utf8Length(s) > max;
}

/** `s` cut to at most `max` UTF-8 bytes without splitting a character. */
function cutToBytes(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= max) return s;
  let end = max;
  // back off continuation bytes (10xxxxxx) so the cut lands on a character boundary
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8');
}

/** RFC 3339 (seconds) of a ns timestamp, as Loki prints it in these messages. */
function rfc3339(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Check (and, with max_line_size_truncate, cut) the push in place. Throws PushValidationError (400) naming the
 * stream and the limit on the first violation; nothing of a refused push may be written.
 */
export function applyIngestLimits(streams: PushStream[], limits: IngestLimits, nowNs?: bigint): void {
  const maxLine = limits.maxLineSize;
  const suffix = limits.maxLineSizeTruncateIdentifier;
  const oldest = limits.rejectOldSamples
    ? (nowNs ?? BigInt(Date.now()) * 1_000_000n) - limits.rejectOldSamplesMaxAge
    : undefined;
  for (const s of streams) {
    const names = Object.keys(s.labels);
    let count = names.length;
    if (Object.hasOwn(s.labels, 'service_name')) count--;
    if (count > limits.maxLabelNamesPerSeries) {
      throw new PushValidationError(
        `entry for stream '${canonicalLabels(s.labels)}' has ${count} label names; limit ${limits.maxLabelNamesPerSeries}`,
      );
    }
    for (const name of names) {
      if (name.length > limits.maxLabelNameLength) {
        throw new PushValidationError(`stream '${canonicalLabels(s.labels)}' has label name too long: '${name}'`);
      }
      const value = s.labels[name];
      if (overBytes(value, limits.maxLabelValueLength)) {
        throw new PushValidationError(`stream '${canonicalLabels(s.labels)}' has label value too long: '${value}'`);
      }
    }
    const entries = s.entries;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.ts === 0n) {
        throw new PushValidationError(
          `entry for stream '${canonicalLabels(s.labels)}' has timestamp too old: ${rfc3339(0n)} (timestamp 0: no time was set)`,
        );
      }
      if (oldest !== undefined && e.ts < oldest) {
        throw new PushValidationError(
          `entry for stream '${canonicalLabels(s.labels)}' has timestamp too old: ${rfc3339(e.ts)}, oldest acceptable timestamp is: ${rfc3339(oldest)}`,
        );
      }
      if (maxLine > 0 && overBytes(e.line, maxLine)) {
        if (limits.maxLineSizeTruncate && maxLine > utf8Length(suffix)) {
          // Loki keeps the first max_line_size − len(identifier) bytes and appends the identifier
          entries[i] = { ...e, line: cutToBytes(e.line, maxLine - utf8Length(suffix)) + suffix };
          continue;
        }
        throw new PushValidationError(
          `max entry size '${maxLine}' bytes exceeded for stream '${canonicalLabels(s.labels)}' while adding an entry with length '${utf8Length(e.line)}' bytes`,
        );
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// `logqlsql serve` flags: one per limit, named after Loki's setting (kebab-case of its YAML name).

const OPTION_HELP: Record<keyof IngestLimits, [flag: string, help: string, shown?: string]> = {
  maxDecompressedSize: [
    '--max-decompressed-size <bytes>',
    'most bytes a gzip/deflate/snappy push body may expand to; larger answers 413 (Loki: max_decompressed_size; 0 = no limit)',
    '64MiB',
  ],
  maxLineSize: [
    '--max-line-size <bytes>',
    'longest log line in bytes; a push with a longer one is refused (400) unless --max-line-size-truncate (Loki: max_line_size; 0 = no limit)',
    '256KB',
  ],
  maxLineSizeTruncate: [
    '--max-line-size-truncate',
    'cut lines longer than --max-line-size instead of refusing the push',
  ],
  maxLineSizeTruncateIdentifier: [
    '--max-line-size-truncate-identifier <text>',
    'text that ends a cut line (Loki: max_line_size_truncate_identifier)',
  ],
  maxLabelNamesPerSeries: [
    '--max-label-names-per-series <n>',
    'most labels a stream may have, service_name not counted (Loki: max_label_names_per_series)',
  ],
  maxLabelNameLength: ['--max-label-name-length <n>', 'longest label name in bytes (Loki: max_label_name_length)'],
  maxLabelValueLength: ['--max-label-value-length <n>', 'longest label value in bytes (Loki: max_label_value_length)'],
  rejectOldSamples: [
    '--reject-old-samples',
    'refuse entries older than --reject-old-samples-max-age (Loki: reject_old_samples, on by default there; off here so that history loads). A timestamp of 0 is always refused',
  ],
  rejectOldSamplesMaxAge: [
    '--reject-old-samples-max-age <duration>',
    'oldest entry accepted with --reject-old-samples (Loki: reject_old_samples_max_age)',
    '1w',
  ],
};

function sizeArg(flag: string) {
  return (v: string): number => {
    const p = parseHumanBytes(v.trim());
    if (!p.ok || !Number.isSafeInteger(p.value)) {
      throw new InvalidArgumentError(`${flag} must be a size in bytes such as 256KB, 64MiB or 1000000`);
    }
    return p.value;
  };
}

function countArg(flag: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) <= 0) throw new InvalidArgumentError(`${flag} must be a positive integer`);
    return Number(v);
  };
}

function durationArg(flag: string) {
  return (v: string): bigint => {
    try {
      const d = parsePromDuration(v.trim());
      if (d > 0n) return d;
    } catch {
      /* the message below says what is expected */
    }
    throw new InvalidArgumentError(`${flag} must be a positive duration such as 168h, 7d or 1w`);
  };
}

/** The commander option of one limit, with Loki's default. */
export function ingestLimitOption(name: keyof IngestLimits): Option {
  const [flag, help, shown] = OPTION_HELP[name];
  const o = new Option(flag, help);
  const dflt = DEFAULT_INGEST_LIMITS[name];
  const long = flag.split(' ')[0];
  switch (typeof dflt) {
    case 'boolean':
      return o;
    case 'string':
      return o.default(dflt);
    case 'bigint':
      return o.argParser(durationArg(long)).default(dflt, shown);
    default:
      return o
        .argParser(name === 'maxDecompressedSize' || name === 'maxLineSize' ? sizeArg(long) : countArg(long))
        .default(dflt, shown);
  }
}

/** The limits among parsed `serve` options (commander names them as IngestLimits does). */
export function ingestLimitsFromOptions(o: object): Partial<IngestLimits> {
  const src = o as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(OPTION_HELP)) if (src[k] !== undefined) out[k] = src[k];
  return out as Partial<IngestLimits>;
}
