// The native schema, as in Loki: a small `streams` table (one row per distinct label set) and a large `entries`
// table. Selectors resolve on `streams`; `entries` is scanned by stream id and time range.
//
// streams.id      64-bit FNV-1a hash of the canonical label string `{a="1", b="2"}` (sorted keys), signed BIGINT so
//                 every engine can store it (PostgreSQL has no unsigned types).
// streams.labels  the label set as a JSON object text with sorted keys.
// entries.ts      nanoseconds since the epoch (BIGINT): exact, as Loki keeps them.
// entries.metadata structured metadata as JSON object text, NULL when none.

export const STREAMS_TABLE = 'streams';
export const ENTRIES_TABLE = 'entries';
