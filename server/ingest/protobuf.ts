// Loki push API, protobuf flavour: POST /loki/api/v1/push with Content-Type application/x-protobuf and a
// snappy block-compressed logproto.PushRequest body — the default wire format of Promtail, Grafana Alloy, the
// Grafana Agent, Fluent Bit's loki output and Vector's loki sink.
//
// The message definitions below are written from the field numbers of Loki's pkg/push/push.proto (we do not
// vendor Loki's .proto files: they import gogoproto options that protobufjs does not need):
//   PushRequest      { repeated StreamAdapter streams = 1; }
//   StreamAdapter    { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
//   EntryAdapter     { google.protobuf.Timestamp timestamp = 1; string line = 2;
//                      repeated LabelPairAdapter structuredMetadata = 3; repeated LabelPairAdapter parsed = 4; }
//   LabelPairAdapter { string name = 1; string value = 2; }
//   Timestamp        { int64 seconds = 1; int32 nanos = 2; }
// protobufjs (maintained, already a dependency for the gRPC plugin protocol) generates the decoder; snappyjs
// undoes the block compression.

import { labelsString } from '../util/labels';
import protobuf from 'protobufjs';
import * as snappy from 'snappyjs';
import type { Labels, LogEntry, PushStream } from '../engine/types';
import {
  BodyTooLargeError,
  DEFAULT_MAX_DECOMPRESSED_SIZE,
  LABEL_NAME_RE,
  PushValidationError,
  inflateBounded,
} from './decode';
import { parseLabelsText } from './labelsText';

export const PUSH_PROTO = `
syntax = "proto3";
package logproto;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message PushRequest { repeated StreamAdapter streams = 1; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
message LabelPairAdapter { string name = 1; string value = 2; }
message EntryAdapter {
  Timestamp timestamp = 1;
  string line = 2;
  repeated LabelPairAdapter structuredMetadata = 3;
  repeated LabelPairAdapter parsed = 4;
}
`;

const root = protobuf.parse(PUSH_PROTO, { keepCase: true }).root;
export const PushRequestType = root.lookupType('logproto.PushRequest');

/** Most bytes one push may expand to after snappy unless told otherwise (a small body could claim gigabytes). */
export const MAX_DECOMPRESSED = DEFAULT_MAX_DECOMPRESSED_SIZE;
const NS = 1_000_000_000n;
const INT64_MAX = 9223372036854775807n;

interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}
type Int64 = number | LongLike | string | bigint;

interface PbLabelPair {
  name: string;
  value: string;
}
interface PbEntry {
  timestamp?: { seconds?: Int64; nanos?: number } | null;
  line?: string;
  structuredMetadata?: PbLabelPair[];
}
interface PbStream {
  labels?: string;
  entries?: PbEntry[];
}

/** An int64/uint64 from protobufjs (number, or Long when the `long` package is present) as a bigint. */
export function int64ToBigInt(v: Int64 | undefined | null, unsigned = false): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string') return BigInt(v);
  const lo = BigInt(v.low >>> 0);
  const hi = BigInt(v.high >>> 0);
  const u = (hi << 32n) | lo;
  if (unsigned || v.unsigned) return u;
  return u >= 1n << 63n ? u - (1n << 64n) : u;
}

// Stream label strings repeat push after push: parse each once.
const labelCache = new Map<string, Labels>();

function streamLabels(text: string): Labels {
  let l = labelCache.get(text);
  if (!l) {
    l = parseLabelsText(text);
    if (labelCache.size > 50_000) labelCache.clear();
    labelCache.set(text, l);
  }
  return l;
}

/** Undo snappy (the default) or gzip; bound the decompressed size (0 = no bound). */
export function decompressProtobufBody(
  body: Buffer,
  contentEncoding?: string,
  maxDecompressedSize = MAX_DECOMPRESSED,
): Uint8Array {
  const enc = (contentEncoding ?? '').trim().toLowerCase();
  if (enc === 'gzip' || enc === 'x-gzip') return inflateBounded(body, 'gzip', maxDecompressedSize);
  if (enc !== '' && enc !== 'snappy' && enc !== 'identity') {
    throw new PushValidationError(
      `unsupported Content-Encoding ${JSON.stringify(contentEncoding)} for a protobuf push (snappy, gzip or none)`,
      415,
    );
  }
  if (enc === 'identity') return body;
  try {
    const cap = maxDecompressedSize > 0 ? maxDecompressedSize : Number.MAX_SAFE_INTEGER;
    return snappy.uncompress(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), cap);
  } catch (e) {
    // snappy's header states the uncompressed length: a bomb is refused before anything is expanded
    if (/uncompressed length of \d+ is too big/.test((e as Error).message))
      throw new BodyTooLargeError(maxDecompressedSize);
    throw new PushValidationError(
      `protobuf push body is not snappy-compressed (block format): ${(e as Error).message}`,
    );
  }
}

/** Decode an uncompressed logproto.PushRequest into push streams. Throws PushValidationError. */
export function decodePushRequest(buf: Uint8Array): PushStream[] {
  let msg: { streams?: PbStream[] };
  try {
    msg = PushRequestType.decode(buf) as unknown as { streams?: PbStream[] };
  } catch (e) {
    throw new PushValidationError(`invalid protobuf push body: ${(e as Error).message}`);
  }
  const pbStreams = msg.streams ?? [];
  const out: PushStream[] = new Array(pbStreams.length);
  for (let i = 0; i < pbStreams.length; i++) {
    const s = pbStreams[i]!;
    const labels = streamLabels(s.labels ?? '');
    const pbEntries = s.entries ?? [];
    const entries: LogEntry[] = new Array(pbEntries.length);
    for (let j = 0; j < pbEntries.length; j++) {
      const e = pbEntries[j]!;
      const t = e.timestamp;
      const secs = t ? t.seconds : 0;
      const nanos = t?.nanos ?? 0;
      const sec = typeof secs === 'number' ? BigInt(secs) : int64ToBigInt(secs);
      const ts = sec * NS + BigInt(nanos);
      if (ts < 0n || ts > INT64_MAX || nanos < 0 || nanos >= 1e9) {
        throw new PushValidationError(
          `streams[${i}].entries[${j}]: timestamp out of range (seconds ${sec}, nanos ${nanos})`,
        );
      }
      const line = e.line ?? '';
      const sm = e.structuredMetadata;
      if (sm && sm.length > 0) {
        const md: Labels = {};
        for (const p of sm) {
          if (!LABEL_NAME_RE.test(p.name)) {
            throw new PushValidationError(
              `streams[${i}].entries[${j}]: invalid structured metadata name ${JSON.stringify(p.name)}`,
            );
          }
          md[p.name] = p.value ?? '';
        }
        entries[j] = { ts, line, metadata: md };
      } else {
        entries[j] = { ts, line };
      }
    }
    out[i] = { labels, entries };
  }
  return out;
}

/** Decode a Loki protobuf push body (snappy-compressed unless Content-Encoding says otherwise). */
export function decodePushProtobuf(
  body: Buffer,
  contentEncoding?: string,
  maxDecompressedSize = MAX_DECOMPRESSED,
): PushStream[] {
  return decodePushRequest(decompressProtobufBody(body, contentEncoding, maxDecompressedSize));
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding (tests, the load test, and clients written in TypeScript)

/** Encode push streams as a snappy-compressed logproto.PushRequest (what Promtail sends). */
export function encodePushProtobuf(streams: PushStream[]): Buffer {
  const msg = PushRequestType.create({
    streams: streams.map((s) => ({
      labels: labelsString(s.labels),
      entries: s.entries.map((e) => ({
        timestamp: { seconds: Number(e.ts / NS), nanos: Number(e.ts % NS) },
        line: e.line,
        structuredMetadata: e.metadata ? Object.entries(e.metadata).map(([name, value]) => ({ name, value })) : [],
      })),
    })),
  });
  const raw = PushRequestType.encode(msg).finish();
  return Buffer.from(snappy.compress(raw));
}
