import type { Span } from './ast';

/** What kind of failure: adapters map these to HTTP 400 / Grafana errorSource "downstream" vs "plugin". */
export type ErrorKind = 'parse' | 'check' | 'unsupported' | 'execution' | 'limit' | 'database';

/**
 * An error the user can act on. `span` points into the query text; `line`/`column` are 1-based and filled in by
 * `locate` so every adapter prints the same "parse error at line 1, col 12: …" message Loki users know.
 */
export class LogQLError extends Error {
  readonly kind: ErrorKind;
  readonly span?: Span;
  line?: number;
  column?: number;

  constructor(kind: ErrorKind, message: string, span?: Span, query?: string) {
    super(message);
    this.name = 'LogQLError';
    this.kind = kind;
    this.span = span;
    if (span && query !== undefined) {
      const pos = locate(query, span.from);
      this.line = pos.line;
      this.column = pos.column;
      this.message = `${kind === 'parse' ? 'parse error' : kind === 'unsupported' ? 'unsupported' : 'invalid query'} at line ${pos.line}, col ${pos.column}: ${message}`;
    }
  }

  /** true when the user's query is at fault (HTTP 400), false for server-side failures (HTTP 5xx) */
  get isUserError(): boolean {
    return (
      this.kind === 'parse' ||
      this.kind === 'check' ||
      this.kind === 'unsupported' ||
      this.kind === 'limit' ||
      this.kind === 'execution'
    );
  }
}

export function locate(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return { line, column: col };
}
