// The HTTP server's links to other parts of the program (ingest decoders, the LogQL formatter). Kept in one file so
// the server can be tested with fakes and so the links are easy to find.

import type { PushStream } from '../engine/types';

/** Decode a Loki JSON push body (gzip when contentEncoding says so). Throws an error with `status` 400 when invalid. */
export type DecodePushJson = (body: Buffer, contentEncoding?: string) => PushStream[] | Promise<PushStream[]>;
/** Decode a Loki protobuf push body (snappy block-compressed). Throws an error with `status` 400 when invalid. */
export type DecodePushProtobuf = (body: Buffer, contentEncoding?: string) => PushStream[] | Promise<PushStream[]>;
/** Parse and pretty-print a LogQL query; throws LogQLError when it does not parse. */
export type FormatQuery = (query: string) => string;

export interface ServerDeps {
  decodePushJson?: DecodePushJson;
  decodePushProtobuf?: DecodePushProtobuf;
  formatQuery?: FormatQuery;
}

let loaded: Promise<ServerDeps> | undefined;

/** The real implementations, loaded on first use. Missing modules leave the corresponding feature unavailable. */
export function loadDefaultDeps(): Promise<ServerDeps> {
  loaded ??= (async () => {
    const deps: ServerDeps = {};
    // Specifiers are variables until those modules land, so the type checker and bundler do not require them yet.
    const ingestPath = '../ingest/index';
    const formatPath = '../logql/format';
    const checkPath = '../logql/check';
    try {
      const ingest = (await import(/* @vite-ignore */ ingestPath)) as Record<string, unknown>;
      if (typeof ingest.decodePushJson === 'function') deps.decodePushJson = ingest.decodePushJson as DecodePushJson;
      if (typeof ingest.decodePushProtobuf === 'function') {
        deps.decodePushProtobuf = ingest.decodePushProtobuf as DecodePushProtobuf;
      }
    } catch {
      /* not available */
    }
    try {
      const fmt = (await import(/* @vite-ignore */ formatPath)) as Record<string, unknown>;
      const chk = (await import(/* @vite-ignore */ checkPath)) as Record<string, unknown>;
      if (typeof fmt.formatExpr === 'function' && typeof chk.parse === 'function') {
        const formatExpr = fmt.formatExpr as (e: unknown) => string;
        const parse = chk.parse as (q: string) => unknown;
        deps.formatQuery = (q) => formatExpr(parse(q));
      }
    } catch {
      /* not available */
    }
    return deps;
  })();
  return loaded;
}
