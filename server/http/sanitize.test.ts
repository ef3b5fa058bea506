import { describe, expect, it } from 'vitest';
import { isDatabaseUnreachable, redactAddresses, sanitizeErrorMessage } from './sanitize';
import { errorStatus } from './server';

describe('sanitizeErrorMessage', () => {
  it('drops stack traces and file system paths', () => {
    const e = new Error('RuntimeError: Aborted(OOM) at /work/main/node_modules/re2-wasm/build/wasm/re2.js:9:123');
    const m = sanitizeErrorMessage(e.message + '\n' + e.stack!, 400);
    expect(m).not.toMatch(/node_modules|\n\s+at |re2\.js/);
    expect(m).toMatch(/^RuntimeError: Aborted\(OOM\)/);
    expect(sanitizeErrorMessage('IO Error: Cannot open file "/work/data/tenants/abc.duckdb": File name too long')).toBe(
      'IO Error: Cannot open file "<path>": File name too long',
    );
    expect(sanitizeErrorMessage(`ENOENT: no such file or directory, open '${process.cwd()}/x/y.json'`)).toBe(
      "ENOENT: no such file or directory, open '<path>'",
    );
  });
  it('keeps API paths, query text and label values', () => {
    for (const m of [
      'unsupported endpoint /loki/api/v1/foo/bar',
      'parse error at line 1, col 5: syntax error: unexpected IDENTIFIER',
      'invalid regular expression in matcher "a/b/c": error parsing regexp: missing closing ): `(a`',
    ]) {
      expect(sanitizeErrorMessage(m, 400)).toBe(m);
    }
  });
  it('redacts addresses in 5xx bodies only', () => {
    expect(redactAddresses('connect ECONNREFUSED 127.0.0.1:5432')).toBe('connect ECONNREFUSED <address>');
    expect(redactAddresses('connect ECONNREFUSED ::1:5432 / [::1]:5432')).toBe(
      'connect ECONNREFUSED <address> / <address>',
    );
    expect(redactAddresses('getaddrinfo ENOTFOUND db.internal.example:9000')).toBe('getaddrinfo ENOTFOUND <address>');
    expect(redactAddresses('cannot connect to PostgreSQL at postgres://logs:***@db:5432/logs: timeout')).toBe(
      'cannot connect to PostgreSQL at <address> timeout',
    );
    expect(sanitizeErrorMessage('line matched 10.0.0.1:80', 400)).toBe('line matched 10.0.0.1:80');
    expect(redactAddresses('Code: 47. DB::Exception: Unknown identifier at 12:34:56')).toBe(
      'Code: 47. DB::Exception: Unknown identifier at 12:34:56',
    );
  });
  it('bounds the length', () => {
    expect(sanitizeErrorMessage('x'.repeat(100_000)).length).toBeLessThanOrEqual(4097);
  });
});

describe('errorStatus for database outages', () => {
  it('503 without the address', () => {
    const e = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnreachable(e)).toBe(true);
    const r = errorStatus(e);
    expect(r.status).toBe(503);
    expect(r.message).toBe('the database is unavailable, retry later: connect ECONNREFUSED <address>');
    expect(
      errorStatus(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))
        .status,
    ).toBe(503);
    expect(errorStatus(new Error('Connection terminated unexpectedly')).status).toBe(503);
  });
  it("a stack exhausted by a deeply nested query is the query's fault (400), however V8 words it", () => {
    const deep = { status: 400, message: 'parse error : the query is nested too deeply' };
    expect(errorStatus(new RangeError('Maximum call stack size exceeded'))).toEqual(deep);
    // seen by the fuzz test (FUZZ_SEED=3615268468 under load): the stack ran out while a regex compiled
    expect(errorStatus(new SyntaxError('Invalid regular expression: /^([0-9]+)$/: Stack overflow'))).toEqual(deep);
    expect(errorStatus(new SyntaxError('Unexpected token')).status).toBe(500);
  });
  it('other failures stay 500, user errors 400', () => {
    expect(errorStatus(new Error('Binder Error: column "x" not found')).status).toBe(500);
    expect(errorStatus(Object.assign(new Error('timeout'), { status: 400 })).status).toBe(400);
    const stack = new Error('boom');
    stack.message = 'boom\n    at f (/work/main/dist/logqlsql.cjs:1:2)';
    expect(errorStatus(stack)).toEqual({ status: 500, message: 'boom' });
  });
});
