// TLS to PostgreSQL and ClickHouse servers, as the data source settings describe it: a mode (libpq's sslmode names)
// and PEM material from Grafana's secure settings (CA certificate, client certificate and key). Each driver turns
// it into its client library's options; the PEM text never goes into a URL or a log line.
import type { ConnectionOptions } from 'node:tls';

export type TlsMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

export const TLS_MODES: TlsMode[] = ['disable', 'require', 'verify-ca', 'verify-full'];

export interface TlsOptions {
  mode: TlsMode;
  /** PEM: the CA that signed the server certificate (verify-ca / verify-full; default: the system CAs) */
  ca?: string;
  /** PEM: client certificate and its key, for servers that authenticate clients by certificate */
  cert?: string;
  key?: string;
}

/** Node TLS connection options for `opts`; undefined when TLS is off. */
export function nodeTls(opts: TlsOptions | undefined): ConnectionOptions | undefined {
  if (!opts || opts.mode === 'disable') return undefined;
  const out: ConnectionOptions = {};
  if (opts.ca) out.ca = opts.ca;
  if (opts.cert) out.cert = opts.cert;
  if (opts.key) out.key = opts.key;
  // libpq's modes: require encrypts without checking the certificate; verify-ca checks the chain but not the host
  if (opts.mode === 'require') out.rejectUnauthorized = false;
  if (opts.mode === 'verify-ca') out.checkServerIdentity = () => undefined;
  return out;
}
