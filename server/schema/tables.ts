// Names of the native tables (one place, imported by every engine's DDL).
export const STREAMS_TABLE = 'streams';
export const ENTRIES_TABLE = 'entries';
