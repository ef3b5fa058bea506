// Memory settings for the long-running server that only apply from a process's start (glibc malloc's, V8's young
// generation), applied by re-executing the process once.
//
// Why: glibc raises its mmap threshold each time a large block allocated by mmap is freed (its "dynamic threshold").
// A push body (a ~1 MB Buffer the HTTP layer concatenates, then a string) is exactly such a block, so after the first
// pushes every later body comes from the main heap instead, interleaved with long-lived small allocations, and the
// heap can only be trimmed from its top: ~90 MB of freed memory stayed resident after pushing the public suite's 1 M
// lines. A fixed threshold (glibc's own default, 128 KiB) keeps large blocks in mmap, returned to the system when
// freed: the server's peak RSS over push + suite fell by ~45–60 MB (docs/storage.md), at no measured time cost.
// V8's young generation grows to 2 × 32 MB semi-spaces on this Node's defaults once pushes or large answers have
// allocated fast, and stays there. 16 MB semi-spaces save ~50 MB; measured over the public suite, the total time in
// GC stayed the same (~8.5 ms a round: more scavenges of the rate query's rows, +~1 ms, fewer promotions in the json
// filter's, −~0.8 ms). 8 MB cost ~2 ms more per rate query and was not taken.
// malloc reads these variables only when the process starts, hence the re-exec: `process.execve` replaces the
// process image in place (same pid, same open descriptors: Grafana's plugin pipes and handshake are unaffected).
// DuckDB's own allocations use its bundled jemalloc and are not concerned.
import { isSea } from 'node:sea';

/** Set in the re-executed process so that it does not re-execute again. */
const MARK = 'LOGQLSQL_ALLOCATOR_SET';
const MMAP_THRESHOLD = String(128 * 1024);
const SEMI_SPACE_FLAG = '--max-semi-space-size=16';

/** The environment to re-execute with, or undefined when nothing needs changing (not Linux, already done, or the
 *  user chose both settings). Exported for tests. */
export function tunedEnv(
  env: NodeJS.ProcessEnv,
  platform: string = process.platform,
  execArgv: string[] = process.execArgv,
): NodeJS.ProcessEnv | undefined {
  if (platform !== 'linux' || env[MARK] !== undefined) return undefined;
  const out: NodeJS.ProcessEnv = { ...env, [MARK]: '1' };
  let changed = false;
  if (env.MALLOC_MMAP_THRESHOLD_ === undefined && !/glibc\.malloc\.mmap_threshold/.test(env.GLIBC_TUNABLES ?? '')) {
    out.MALLOC_MMAP_THRESHOLD_ = MMAP_THRESHOLD;
    changed = true;
  }
  const semi = /--max-semi-space-size/;
  if (!semi.test(env.NODE_OPTIONS ?? '') && !execArgv.some((a) => semi.test(a))) {
    // through NODE_OPTIONS, which a single executable honours too (it parses no node flags from its argv)
    out.NODE_OPTIONS = `${SEMI_SPACE_FLAG} ${env.NODE_OPTIONS ?? ''}`.trim();
    changed = true;
  }
  return changed ? out : undefined;
}

/** Re-executes this process with the server's memory settings, once; returns when nothing needs doing or the system
 *  refuses (the server then runs with glibc's defaults: more memory, same answers). Call before any work starts. */
export function applyServerAllocatorSettings(): void {
  const env = tunedEnv(process.env);
  // Node ≥ 23.11 (ours is 26); @types/node does not declare it yet
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (!env || typeof execve !== 'function') return;
  // a single executable's argv repeats its own path in argv[1]; node takes its flags back from execArgv
  const argv = isSea()
    ? [process.argv[0]!, ...process.argv.slice(2)]
    : [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  try {
    execve.call(process, process.execPath, argv, env);
  } catch {
    // e.g. a seccomp profile forbidding execve: keep running as we are
  }
}
