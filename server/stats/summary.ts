// Query statistics in Loki's shapes: the `data.stats` object of query / query_range answers (what `logcli --stats`
// prints and Grafana's Loki data source reads) and the frame meta `stats` list Grafana's query inspector shows.
// Field names and meanings follow Loki's pkg/logqlmodel/stats: we have no chunks, so the store's "decompressed"
// counters carry what the database read for the query (entries of the selected streams in the time range read), and
// each selected stream counts as one chunk.
import type { QueryData, QueryStats } from '../engine/types';

/** Loki's `totalEntriesReturned`: log lines for streams, samples for matrices, series for vectors, 0 for scalars. */
export function entriesReturned(data: QueryData): number {
  switch (data.resultType) {
    case 'streams':
      return data.result.reduce((n, s) => n + s.entries.length, 0);
    case 'matrix':
      return data.result.reduce((n, s) => n + s.values.length, 0);
    case 'vector':
      return data.result.length;
    case 'scalar':
      return 0;
  }
}

export interface Summary {
  bytesProcessedPerSecond: number;
  linesProcessedPerSecond: number;
  totalBytesProcessed: number;
  totalLinesProcessed: number;
  execTime: number;
  queueTime: number;
  subqueries: number;
  totalEntriesReturned: number;
  splits: number;
  shards: number;
  totalPostFilterLines: number;
  totalStructuredMetadataBytesProcessed: number;
}

export function summary(stats: QueryStats, returned: number): Summary {
  const execS = stats.totalMs / 1000;
  const lines = stats.linesProcessed ?? 0;
  const bytes = stats.bytesProcessed ?? 0;
  // Loki: int64(float64(total) / execTime)
  const rate = (n: number) => (execS > 0 ? Math.trunc(n / execS) : 0);
  return {
    bytesProcessedPerSecond: rate(bytes),
    linesProcessedPerSecond: rate(lines),
    totalBytesProcessed: bytes,
    totalLinesProcessed: lines,
    execTime: execS,
    queueTime: (stats.queueMs ?? 0) / 1000,
    subqueries: 0,
    totalEntriesReturned: returned,
    splits: 0,
    shards: 0,
    totalPostFilterLines: stats.postFilterLines ?? 0,
    totalStructuredMetadataBytesProcessed: 0,
  };
}

/** The whole `data.stats` object, Loki's JSON field names; our own details under `logqlsql`. */
export function lokiStats(stats: QueryStats, returned: number): Record<string, unknown> {
  const s = summary(stats, returned);
  const chunks = stats.streamsMatched ?? 0;
  const store = {
    totalChunksRef: chunks,
    totalChunksDownloaded: chunks,
    chunksDownloadTime: 0,
    queryReferencedStructuredMetadata: false,
    chunk: {
      headChunkBytes: 0,
      headChunkLines: 0,
      decompressedBytes: s.totalBytesProcessed,
      decompressedLines: s.totalLinesProcessed,
      compressedBytes: 0,
      totalDuplicates: 0,
      postFilterLines: s.totalPostFilterLines,
      headChunkStructuredMetadataBytes: 0,
      decompressedStructuredMetadataBytes: 0,
    },
    chunkRefsFetchTime: 0,
    congestionControlLatency: 0,
    pipelineWrapperFilteredLines: 0,
  };
  return {
    summary: s,
    querier: { store, querierExecTime: s.execTime },
    ingester: {
      totalReached: 0,
      totalChunksMatched: 0,
      totalBatches: 0,
      totalLinesSent: 0,
      store: { ...store, totalChunksRef: 0, totalChunksDownloaded: 0, chunk: { ...zeroChunk } },
    },
    logqlsql: {
      sql: stats.sql,
      tsStages: stats.tsStages,
      rowsScanned: stats.rowsScanned,
      sqlMs: stats.sqlMs,
      totalMs: stats.totalMs,
      ...(stats.limitReached !== undefined ? { limitReached: stats.limitReached } : {}),
    },
  };
}

const zeroChunk = {
  headChunkBytes: 0,
  headChunkLines: 0,
  decompressedBytes: 0,
  decompressedLines: 0,
  compressedBytes: 0,
  totalDuplicates: 0,
  postFilterLines: 0,
  headChunkStructuredMetadataBytes: 0,
  decompressedStructuredMetadataBytes: 0,
};

export interface MetaStat {
  displayName: string;
  value: number;
  unit?: string;
}

/** Grafana's Loki data source turns `data.stats` into frame meta stats named `<Section>: <field in words>` with a
 *  unit by kind (decbytes for bytes, Bps for byte rates, s for times): the same list, so the inspector reads alike. */
export function frameStats(stats: QueryStats, returned: number): MetaStat[] {
  const s = summary(stats, returned);
  const out: MetaStat[] = [];
  for (const [k, v] of Object.entries(s) as [keyof Summary, number][]) {
    const unit =
      k === 'bytesProcessedPerSecond'
        ? 'Bps'
        : /Bytes/.test(k)
          ? 'decbytes'
          : k === 'execTime' || k === 'queueTime'
            ? 's'
            : undefined;
    out.push({ displayName: `Summary: ${words(k)}`, value: v, ...(unit ? { unit } : {}) });
  }
  out.push({ displayName: 'Store: total chunks ref', value: stats.streamsMatched ?? 0 });
  out.push({ displayName: 'Store: decompressed lines', value: s.totalLinesProcessed });
  out.push({ displayName: 'Store: decompressed bytes', value: s.totalBytesProcessed, unit: 'decbytes' });
  return out;
}

/** bytesProcessedPerSecond → "bytes processed per second" (Grafana's decamelize). */
function words(camel: string): string {
  return camel.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}
