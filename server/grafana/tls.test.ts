// TLS from the data source settings reaches the database: the mode and PEM certificates of the config editor
// (jsonData.tlsMode, secureJsonData tlsCACert / tlsClientCert / tlsClientKey) are parsed with clear errors, and a real
// PostgreSQL server (Debian's, TLS on with its snakeoil certificate) is reached encrypted, verified against the CA.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine';
import { createPostgresDatabase, unavailable, type TestDatabase } from '../../tests/matrix/engines';
import { defaultEngineFactory } from './engineFactory';
import { parseSettings, SettingsError } from './settings';

const CA_FILE = '/etc/ssl/certs/ssl-cert-snakeoil.pem';
const CA = existsSync(CA_FILE) ? readFileSync(CA_FILE, 'utf8') : '';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

function settings(jsonData: Record<string, unknown>, secure: Record<string, string> = {}) {
  return parseSettings({ uid: 'x', jsonData: JSON.stringify(jsonData), decryptedSecureJsonData: secure });
}

describe('TLS settings', () => {
  it('reads the mode and the certificates, never into the URL', () => {
    const c = settings(
      { engine: 'postgres', host: 'db', tlsMode: 'verify-full' },
      { tlsCACert: PEM, tlsClientCert: PEM, tlsClientKey: PEM.replace(/CERTIFICATE/g, 'PRIVATE KEY'), password: 'pw' },
    );
    expect(c.tls).toMatchObject({ mode: 'verify-full', ca: PEM, cert: PEM });
    expect(c.dbUrl).not.toMatch(/ssl|BEGIN/);
    expect(settings({ engine: 'clickhouse', host: 'ch', tls: true }).tls).toEqual({
      mode: 'require',
      ca: undefined,
      cert: undefined,
      key: undefined,
    });
    expect(settings({ engine: 'postgres', host: 'db' }).tls).toBeUndefined();
    expect(settings({ engine: 'duckdb', tlsMode: 'require' }).tls).toBeUndefined();
  });

  it('names what is wrong', () => {
    expect(() => settings({ engine: 'postgres', host: 'db', tlsMode: 'strict' })).toThrow(SettingsError);
    expect(() => settings({ engine: 'postgres', host: 'db', tlsMode: 'strict' })).toThrow(/unknown TLS mode "strict"/);
    expect(() => settings({ engine: 'postgres', host: 'db', tlsMode: 'verify-ca' }, { tlsCACert: 'abc' })).toThrow(
      /CA certificate is not PEM/,
    );
    expect(() => settings({ engine: 'postgres', host: 'db', tlsMode: 'require' }, { tlsClientCert: PEM })).toThrow(
      /needs its key/,
    );
  });
});

const pgMissing = (await unavailable('postgres')) ?? (CA ? undefined : `${CA_FILE} is missing`);
if (pgMissing && process.env.CI === 'true') throw new Error(`TLS test: ${pgMissing}`);

describe.skipIf(!!pgMissing)('TLS to a real PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createPostgresDatabase('logqlsql_tls');
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function sslOf(jsonData: Record<string, unknown>, secure: Record<string, string> = {}): Promise<boolean> {
    const engine = (await defaultEngineFactory(
      settings({ engine: 'postgres', url: db.url, ...jsonData }, secure),
    )) as Engine;
    try {
      const rows = await engine.driver.query<{ ssl: boolean }>(
        'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      );
      return rows[0]!.ssl;
    } finally {
      await engine.close();
    }
  }

  it('connects encrypted in require and verify-ca modes, in clear with disable', async () => {
    expect(await sslOf({ tlsMode: 'require' })).toBe(true);
    expect(await sslOf({ tlsMode: 'verify-ca' }, { tlsCACert: CA })).toBe(true);
    expect(await sslOf({ tlsMode: 'disable' })).toBe(false);
  });

  it('verify-full checks the host name against the certificate (snakeoil names localhost, not 127.0.0.1)', async () => {
    await expect(sslOf({ tlsMode: 'verify-full' }, { tlsCACert: CA })).rejects.toThrow(/altnames|does not match/);
    await expect(sslOf({ tlsMode: 'verify-ca' }, { tlsCACert: PEM })).rejects.toThrow();
  });
});
