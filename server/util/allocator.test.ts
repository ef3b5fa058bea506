import { describe, expect, it } from 'vitest';
import { tunedEnv } from './allocator';

describe('server memory settings', () => {
  it("fixes glibc malloc's mmap threshold and V8's semi-space once, on Linux", () => {
    const env = tunedEnv({ PATH: '/bin', NODE_OPTIONS: '--enable-source-maps' }, 'linux', []);
    expect(env).toEqual({
      PATH: '/bin',
      MALLOC_MMAP_THRESHOLD_: '131072',
      NODE_OPTIONS: '--max-semi-space-size=16 --enable-source-maps',
      LOGQLSQL_ALLOCATOR_SET: '1',
    });
    // the re-executed process does not re-execute again
    expect(tunedEnv(env!, 'linux', [])).toBeUndefined();
  });

  it("keeps a user's own settings, and does nothing on other systems", () => {
    expect(tunedEnv({ MALLOC_MMAP_THRESHOLD_: '65536' }, 'linux', [])).toEqual({
      MALLOC_MMAP_THRESHOLD_: '65536',
      NODE_OPTIONS: '--max-semi-space-size=16',
      LOGQLSQL_ALLOCATOR_SET: '1',
    });
    expect(
      tunedEnv({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=4096' }, 'linux', ['--max-semi-space-size=64']),
    ).toBe(undefined);
    expect(tunedEnv({ MALLOC_MMAP_THRESHOLD_: '1', NODE_OPTIONS: '--max-semi-space-size=8' }, 'linux', [])).toBe(
      undefined,
    );
    expect(tunedEnv({}, 'darwin', [])).toBeUndefined();
  });
});
