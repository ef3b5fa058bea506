// The Loki API client the CLI commands use, as logcli does: a base address, an optional bearer token and tenant.
// Every command goes through it, also with --db (target.ts then serves the database on a private loopback port), so
// the CLI prints exactly what the server answers.
import WebSocket from 'ws';
import { CliError } from './errors';

export interface ClientOptions {
  /** http(s)://host:port[/prefix] */
  addr: string;
  /** sent as `Authorization: Bearer <token>` (the server's --auth-token) */
  authToken?: string;
  /** sent as X-Scope-OrgID (the server's --tenants) */
  orgId?: string;
  /** Ctrl-C: abandons the request (the server then cancels the query) */
  signal?: AbortSignal;
}

export type Params = Record<string, string | string[] | undefined>;

/** One answer of the server: its body as text (printed as is by --output json) and parsed. */
export interface Answer<T> {
  text: string;
  body: T;
}

export class LokiClient {
  readonly base: URL;

  constructor(readonly opts: ClientOptions) {
    let addr = opts.addr.trim();
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(addr)) addr = `http://${addr}`;
    let u: URL;
    try {
      u = new URL(addr.endsWith('/') ? addr : addr + '/');
    } catch {
      throw new CliError(`invalid --addr ${JSON.stringify(opts.addr)}: expected http://HOST:PORT`, 2);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new CliError(`invalid --addr ${JSON.stringify(opts.addr)}: expected http:// or https://`, 2);
    this.base = u;
  }

  url(path: string, params: Params = {}): URL {
    const u = new URL(path.replace(/^\//, ''), this.base);
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined) continue;
      for (const x of Array.isArray(v) ? v : [v]) u.searchParams.append(k, x);
    }
    return u;
  }

  headers(): Record<string, string> {
    const h: Record<string, string> = { 'user-agent': 'logqlsql-cli' };
    if (this.opts.authToken) h.authorization = `Bearer ${this.opts.authToken}`;
    if (this.opts.orgId) h['x-scope-orgid'] = this.opts.orgId;
    return h;
  }

  /** GET a JSON endpoint; a refused connection or an error status becomes a CliError with the server's message. */
  async get<T>(path: string, params: Params = {}): Promise<Answer<T>> {
    const u = this.url(path, params);
    let res: Response;
    try {
      res = await fetch(u, { headers: this.headers(), signal: this.opts.signal });
    } catch (e) {
      if (this.opts.signal?.aborted) throw new CliError('interrupted', 130);
      throw this.unreachable(e);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      if (this.opts.signal?.aborted) throw new CliError('interrupted', 130);
      throw e;
    }
    if (!res.ok) {
      const msg = text.trim() || res.statusText;
      const hint =
        res.status !== 401
          ? ''
          : /org id/i.test(msg)
            ? ' (the server keeps tenants apart: pass one with --org-id or LOGQLSQL_ORG_ID)'
            : ' (pass the server token with --auth-token or LOGQLSQL_AUTH_TOKEN)';
      throw new CliError(
        `${res.status} ${res.statusText} from ${this.shown()}: ${msg}${hint}`,
        res.status < 500 ? 2 : 1,
      );
    }
    try {
      return { text, body: JSON.parse(text) as T };
    } catch {
      throw new CliError(
        `${this.shown()} answered ${u.pathname} with something other than JSON: ${text.slice(0, 200)}`,
      );
    }
  }

  /** Live tail over the WebSocket endpoint: each frame to `onFrame` until `signal` aborts or the server closes. */
  tail(params: Params, onFrame: (frame: unknown) => void, signal?: AbortSignal): Promise<void> {
    const u = this.url('loki/api/v1/tail', params);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(u, { headers: this.headers() });
      let textError: string | undefined;
      const onAbort = () => ws.close(1000);
      signal?.addEventListener('abort', onAbort, { once: true });
      ws.on('message', (data, isBinary) => {
        const s = data.toString();
        try {
          onFrame(JSON.parse(s));
        } catch {
          // Loki writes a failure as one text message, then closes
          textError = isBinary ? undefined : s;
        }
      });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (b: Buffer) => (body += b.toString()));
        res.on('end', () => {
          ws.terminate();
          reject(
            new CliError(
              `${res.statusCode} from ${this.shown()}: ${body.trim()}`,
              (res.statusCode ?? 500) < 500 ? 2 : 1,
            ),
          );
        });
      });
      ws.on('error', (e) => reject(this.unreachable(e)));
      ws.on('close', (code, reason) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted || code === 1000) resolve();
        else
          reject(
            new CliError(
              `tail ended: ${textError ?? (reason.toString() || `close code ${code}`)}`,
              code === 1008 ? 2 : 1,
            ),
          );
      });
    });
  }

  private shown(): string {
    return this.base.origin + this.base.pathname.replace(/\/$/, '');
  }

  private unreachable(e: unknown): CliError {
    const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
    const why = cause?.code ?? (e as { code?: string })?.code ?? cause?.message ?? (e as Error)?.message ?? String(e);
    return new CliError(
      `cannot reach the server at ${this.shown()} (${why}): start it with \`logqlsql serve\`, point --addr ` +
        '(or LOGQLSQL_ADDR / LOKI_ADDR) at it, or open a database directly with --db URL',
    );
  }
}
