// A real syslog-ng (Debian: syslog-ng-core + syslog-ng-mod-http), run in the foreground with its own config, reads a
// log file and posts Loki push JSON with its http() destination (batched: body-prefix/delimiter/body-suffix).
// Every line written must come back from the Loki API exactly once, with the labels the config sets.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linesOf, missing, runServer, waitFor, type Running } from './shipper';

function syslogNgMissing(): string | undefined {
  const v = spawnSync('syslog-ng', ['--module-registry'], { encoding: 'utf8' });
  if (v.error) return 'syslog-ng is not installed (apt-get install -y syslog-ng-core syslog-ng-mod-http)';
  if (!/destination\s+http/.test(v.stdout))
    return 'syslog-ng has no http() destination (apt-get install -y syslog-ng-mod-http)';
  return undefined;
}

/** The documented configuration (README): Loki push JSON, one stream object per message, batched. */
export function syslogNgConfig(input: string, url: string, token?: string): string {
  const auth = token
    ? `\n    headers("Content-Type: application/json", "Authorization: Bearer ${token}")`
    : '\n    headers("Content-Type: application/json")';
  return `@version: 3.38
options { frac-digits(0); keep-hostname(yes); };
source s_file { file("${input}" flags(no-parse) follow-freq(0.1)); };
destination d_loki {
  http(
    url("${url}/loki/api/v1/push")
    method("POST")${auth}
    body-prefix("{\\"streams\\":[")
    body("{\\"stream\\":{\\"job\\":\\"syslog-ng\\",\\"host\\":\\"\${HOST}\\"},\\"values\\":[[\\"\${R_UNIXTIME}\${R_USEC}000\\",$(substr \\"$(format-json --key MESSAGE)\\" 11 -1)]]}")
    delimiter(",")
    body-suffix("]}")
    batch-lines(100)
    batch-timeout(200)
  );
};
log { source(s_file); destination(d_loki); };
`;
}

const why = syslogNgMissing();
describe.skipIf(missing(why ? `syslog-ng shipper test: ${why}` : undefined))(
  'syslog-ng http() → /loki/api/v1/push',
  () => {
    let srv: Running;
    let dir: string;
    let proc: ChildProcess | undefined;
    let stderr = '';
    beforeAll(async () => {
      srv = await runServer({ authToken: 'shipper-token' });
      dir = mkdtempSync(join(tmpdir(), 'logqlsql-syslogng-'));
    });
    afterAll(async () => {
      if (proc && proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc!.once('exit', r));
      }
      await srv?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('ships every line once, with JSON-special characters intact', async () => {
      const input = join(dir, 'app.log');
      writeFileSync(input, '');
      const conf = join(dir, 'syslog-ng.conf');
      writeFileSync(conf, syslogNgConfig(input, srv.base, 'shipper-token'));
      proc = spawn(
        'syslog-ng',
        [
          '-F',
          '-f',
          conf,
          '-R',
          join(dir, 'persist'),
          `--pidfile=${join(dir, 'pid')}`,
          `--control=${join(dir, 'ctl')}`,
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      proc.stderr!.on('data', (d) => (stderr += d));
      proc.stdout!.on('data', (d) => (stderr += d));
      await new Promise((r) => setTimeout(r, 500));
      const sent: string[] = [];
      for (let i = 0; i < 300; i++)
        sent.push(`msg ${i} level=${i % 3 ? 'info' : 'error'} quote="x\\"y" tab\there ünïcode ${'#'.repeat(i % 7)}`);
      for (let i = 0; i < sent.length; i += 50) {
        appendFileSync(input, sent.slice(i, i + 50).join('\n') + '\n');
        await new Promise((r) => setTimeout(r, 50));
      }
      const got = await waitFor(
        () => linesOf(srv.engine, '{job="syslog-ng"}'),
        (l) => l.length >= sent.length,
      );
      expect(got.length, `syslog-ng output:\n${stderr}\nconfig:\n${readFileSync(conf, 'utf8')}`).toBe(sent.length);
      expect(got.map((g) => g.line).sort()).toEqual([...sent].sort());
      expect(Object.keys(got[0]!.labels).sort()).toEqual(['host', 'job']);
      const errors = await waitFor(
        () => linesOf(srv.engine, '{job="syslog-ng"} |= "level=error"'),
        () => true,
      );
      expect(errors).toHaveLength(100);
    }, 60_000);
  },
);
