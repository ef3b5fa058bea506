// The HTTP server's links to other parts of the program (ingest decoders, the LogQL formatter). Kept in one file so
// the server can be tested with fakes and so the links are easy to find.

import type { PushStream } from '../engine/types';
import * as ingest from '../ingest';
import { decodePushProtobuf } from '../ingest/protobuf';
import { formatQuery } from '../logql/format';

/** Decode a Loki JSON push body (gzip when contentEncoding says so, expanding to at most maxDecompressedSize
 *  bytes). Throws an error with `status` 400 (413: too large) when invalid. */
export type DecodePushJson = (
  body: Buffer,
  contentEncoding?: string,
  maxDecompressedSize?: number,
) => PushStream[] | Promise<PushStream[]>;
/** Decode a Loki protobuf push body (snappy block-compressed). Throws an error with `status` 400 when invalid. */
export type DecodePushProtobuf = (
  body: Buffer,
  contentEncoding?: string,
  maxDecompressedSize?: number,
) => PushStream[] | Promise<PushStream[]>;
/** Parse and pretty-print a LogQL query; throws LogQLError when it does not parse. */
export type FormatQuery = (query: string) => string;

export interface ServerDeps {
  decodePushJson?: DecodePushJson;
  decodePushProtobuf?: DecodePushProtobuf;
  formatQuery?: FormatQuery;
}

let loaded: Promise<ServerDeps> | undefined;

/** The real implementations. */
export function loadDefaultDeps(): Promise<ServerDeps> {
  loaded ??= (async () => {
    const deps: ServerDeps = {
      decodePushJson: ingest.decodePushJson,
      formatQuery,
      decodePushProtobuf,
    };
    const optional = ingest as unknown as Record<string, unknown>;
    if (typeof optional.decodePushProtobuf === 'function') {
      deps.decodePushProtobuf = optional.decodePushProtobuf as DecodePushProtobuf;
    }
    return deps;
  })();
  return loaded;
}
