// The public suite's own clients (../shared/perf: gen_logs.py, push_bench.py, api_bench.py, hand_sql/run.mjs), run as
// child processes, and their printed results parsed.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/** Run a command; resolves with its stdout, rejects with its output when it fails. */
export function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${[cmd, ...args].join(' ')} exited with ${code}:\n${(out + err).trim().slice(-3000)}`)),
    );
  });
}

/** One query of api_bench.py: id, kind (logs | range | instant), LogQL, extra parameters (limit, step). */
export type SuiteQuery = [id: string, kind: string, query: string, extra: Record<string, string>];

/** The suite's queries, read from api_bench.py itself (so the bench follows any change to the public suite). */
export async function suiteQueries(perfDir: string): Promise<SuiteQuery[]> {
  const code = `import sys, json; sys.path.insert(0, sys.argv[1]); import api_bench; print(json.dumps(api_bench.QUERIES))`;
  return JSON.parse(await run('python3', ['-c', code, perfDir])) as SuiteQuery[];
}

/** A suite file for api_bench.py's --suite option. */
export function writeSuiteFile(file: string, queries: SuiteQuery[]): void {
  // a JSON string is a valid Python string literal (JSON.stringify escapes only ", \ and control characters)
  writeFileSync(file, `import json\nQUERIES = json.loads(${JSON.stringify(JSON.stringify(queries))})\n`);
}

export interface ApiTiming {
  id: string;
  ms: number;
  rows: number;
  /** set by the caller: how our answer differs from the DuckDB hand SQL's (undefined: the same) */
  mismatch?: string;
}

/** api_bench.py: each query `runs` times through the HTTP API, median; "logs-filter   0.074s  rows=1000". */
export async function apiBench(
  perfDir: string,
  url: string,
  start: string,
  hours: number,
  runs: number,
  suiteFile?: string,
): Promise<ApiTiming[]> {
  const args = [`${perfDir}/api_bench.py`, url, start, String(hours), String(runs)];
  const out = await run('python3', suiteFile ? [...args, '--suite', suiteFile] : args);
  const rows: ApiTiming[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+([\d.]+)s\s+rows=(\d+)/.exec(line);
    if (m) rows.push({ id: m[1], ms: Number(m[2]) * 1000, rows: Number(m[3]) });
  }
  return rows;
}

export interface PushResult {
  /** push_bench.py's own line: "pushed 989285 lines in 3.95 s: 250,452 lines/s (batch 5000, 4 pushers)" */
  line: string;
  lines: number;
  seconds: number;
}

/** push_bench.py with 4 pushers of 5,000-line batches, the data moved by `shiftHours` (negative: back in time). */
export async function pushBench(perfDir: string, url: string, payload: string, shiftHours = 0): Promise<PushResult> {
  const args = [`${perfDir}/push_bench.py`, url, payload, '5000', '4'];
  const out = await run('python3', shiftHours ? [...args, String(shiftHours)] : args);
  const m = /pushed (\d+) lines in ([\d.]+) s/.exec(out);
  if (!m) throw new Error(`unexpected push_bench.py output: ${out}`);
  return { line: out.trim(), lines: Number(m[1]), seconds: Number(m[2]) };
}
