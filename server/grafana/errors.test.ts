// Issue 10 item 6 on the Grafana side: per-query statuses as the HTTP API gives them.
import { describe, expect, it } from 'vitest';
import { TemplateError } from '../eval/template';
import { RE2SyntaxError } from '../eval/re2';
import { errorJson } from './resources';
import { classifyError } from './services';
import { seriesLimitError } from '../eval/limits';

describe('classifyError / errorJson', () => {
  it('template and regex parse errors are 400 (downstream)', () => {
    expect(classifyError(new TemplateError('template: line:1:1: unclosed action'))).toMatchObject({
      status: 400,
      errorSource: 'downstream',
    });
    expect(classifyError(new RE2SyntaxError('error parsing regexp: invalid escape sequence: `\\C`')).status).toBe(400);
    expect(classifyError(new Error("invalid template for label 'x': template: line:1:1: unclosed action")).status).toBe(
      400,
    );
  });
  it("max_query_series: Loki's 400", () => {
    expect(classifyError(seriesLimitError(500))).toMatchObject({ status: 400, errorSource: 'downstream' });
  });
  it('an unreachable database is 503 without its address; no stack traces', () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(classifyError(down)).toEqual({
      status: 503,
      errorSource: 'downstream',
      message: 'the database is unavailable, retry later: connect ECONNREFUSED <address>',
    });
    expect(errorJson(down)).toMatchObject({ status: 503, body: { error: expect.not.stringContaining('127.0.0.1') } });
    const boom = new Error('boom\n    at x (/work/main/node_modules/y/z.js:1:1)');
    expect(classifyError(boom).message).toBe('boom');
    expect(errorJson(boom).body.error).toBe('boom');
  });
});
