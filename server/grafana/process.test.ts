// Plugin mode as a process: the handshake line is all stdout ever carries, stderr is hclog JSON, SIGINT is ignored,
// Shutdown ends the process. Runs testdata/fakePlugin.ts (the FakeEngine) bundled with esbuild under plain node.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, clients } from './testing';

let dir: string;
let bundle: string;

beforeAll(async () => {
  // inside the project, so the native packages left external resolve from its node_modules
  mkdirSync(join(process.cwd(), 'node_modules', '.cache'), { recursive: true });
  dir = mkdtempSync(join(process.cwd(), 'node_modules', '.cache', 'logqlsql-plugin-'));
  bundle = join(dir, 'plugin.cjs');
  await build({
    entryPoints: [join(__dirname, 'testdata/fakePlugin.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
    // the engine's native drivers load from node_modules, as in the real bundle (scripts/build.mjs)
    external: ['@duckdb/*', 'chdb'],
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function waitExit(p: ChildProcess, ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (p.exitCode !== null) return resolve(p.exitCode);
    const t = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

describe('plugin mode process', () => {
  it('refuses to run outside Grafana with a clear message and exit code 1', () => {
    const r = spawnSync(process.execPath, [bundle], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/grafana_plugin_type=datasource/);
    const v = spawnSync(process.execPath, [bundle], {
      env: { PATH: process.env.PATH, grafana_plugin_type: 'datasource', PLUGIN_PROTOCOL_VERSIONS: '1' },
      encoding: 'utf8',
    });
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(/version 2/);
  });

  it('handshakes, ignores SIGINT, exits on Shutdown; stdout is one line, stderr hclog JSON', async () => {
    const t0 = Date.now();
    const p = spawn(process.execPath, [bundle], {
      env: {
        PATH: process.env.PATH,
        grafana_plugin_type: 'datasource',
        PLUGIN_PROTOCOL_VERSIONS: '2',
        GF_PLUGIN_LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      while (!stdout.includes('\n')) {
        if (Date.now() - t0 > 10_000) throw new Error(`no handshake; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(Date.now() - t0).toBeLessThan(2000);
      const m = /^1\|2\|tcp\|127\.0\.0\.1:(\d+)\|grpc\n$/.exec(stdout);
      expect(m, stdout).not.toBeNull();
      const c = clients(`127.0.0.1:${m![1]}`);
      expect(await call(c.health, 'Check', { service: 'plugin' })).toEqual({ status: 1 });
      p.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 200));
      expect(p.exitCode).toBeNull();
      expect(await call(c.health, 'Check', { service: 'plugin' })).toEqual({ status: 1 });
      await call(c.controller, 'Shutdown', {});
      expect(await waitExit(p, 2000)).toBe(0);
      c.close();
    } finally {
      if (p.exitCode === null) p.kill('SIGKILL');
    }
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(1);
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const rec = JSON.parse(line);
      expect(typeof rec['@level']).toBe('string');
      expect(typeof rec['@message']).toBe('string');
      expect(rec['@timestamp']).toMatch(/\.\d{6}Z$/);
    }
    expect(stderr).toMatch(/SIGINT ignored/);
  });
});
