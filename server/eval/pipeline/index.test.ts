import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { LabelFilterExpr, LineFilter, Stage, Unwrap } from '../../logql/ast';
import type { Labels } from '../../engine/types';

// The Go-template engine is written concurrently; until it lands, a stand-in that substitutes {{.name}} and fails on
// {{fail}} (runtime error) / {{bad (compile error) is enough to test how the pipeline uses it.
vi.mock('../template', () => ({
  compileTemplate: (src: string) => {
    if (src.includes('{{bad')) throw new Error('template: bad');
    return (ctx: { labels: Labels; line: string; ts: bigint }) => {
      if (src.includes('{{fail}}')) throw new Error('template: label:1: boom');
      return src
        .replace(/\{\{\s*__line__\s*\}\}/g, ctx.line)
        .replace(/\{\{\s*\.([A-Za-z0-9_]+)\s*\}\}/g, (_m, k: string) => ctx.labels[k] ?? '');
    };
  },
}));

const { compilePipeline, compileUnwrap, compileLineFilter } = await import('./index');

const sp = { from: 0, to: 0 };
const lf = (op: LineFilter['op'], ...values: (string | { ip: string })[]): Stage => ({
  kind: 'lineFilter',
  filter: {
    op,
    values: values.map((v) => (typeof v === 'string' ? { kind: 'string', value: v } : { kind: 'ip', value: v.ip })),
    span: sp,
  },
  span: sp,
});
const json = (...params: [string, string][]): Stage => ({
  kind: 'json',
  params: params.map(([label, expression]) => ({ label, expression, span: sp })),
  span: sp,
});
const logfmt = (opts: { strict?: boolean; keepEmpty?: boolean } = {}, ...params: [string, string][]): Stage => ({
  kind: 'logfmt',
  strict: !!opts.strict,
  keepEmpty: !!opts.keepEmpty,
  params: params.map(([label, expression]) => ({ label, expression, span: sp })),
  span: sp,
});
const regexp = (pattern: string): Stage => ({ kind: 'regexp', pattern, span: sp });
const pattern = (p: string): Stage => ({ kind: 'pattern', pattern: p, span: sp });
const filt = (expr: LabelFilterExpr): Stage => ({ kind: 'labelFilter', expr, span: sp });
const str = (name: string, op: '=' | '!=' | '=~' | '!~', value: string): LabelFilterExpr => ({
  kind: 'string',
  name,
  op,
  value,
  span: sp,
});
const num = (name: string, op: '>' | '>=' | '<' | '<=' | '==' | '!=' | '=', value: number): LabelFilterExpr => ({
  kind: 'number',
  name,
  op,
  value,
  span: sp,
});

function run(stages: Stage[], line: string, stream: Labels = {}, metadata?: Labels) {
  return compilePipeline(stages)({ ts: 1n, line, stream, metadata });
}

describe('line filters', () => {
  it('|= contains, != excludes, |~ is an unanchored RE2 regex, !~ its negation', () => {
    expect(compileLineFilter({ op: '|=', values: [{ kind: 'string', value: 'err' }], span: sp })('an error')).toBe(
      true,
    );
    expect(run([lf('!=', 'err')], 'an error')).toBeNull();
    expect(run([lf('|~', '(?i)ERR')], 'an error')).not.toBeNull();
    expect(run([lf('!~', 'e.r')], 'an error')).toBeNull();
  });
  it('`or`: positive keeps a line matching any alternative, negative drops one matching any', () => {
    expect(run([lf('|=', 'x', 'error')], 'an error')).not.toBeNull();
    expect(run([lf('|=', 'x', 'y')], 'an error')).toBeNull();
    expect(run([lf('!=', 'x', 'error')], 'an error')).toBeNull();
    expect(run([lf('!=', 'x', 'y')], 'an error')).not.toBeNull();
  });
  it('|> pattern filter (Loki 3): literals in order, <_> non-empty between them', () => {
    const nginx = '2001:db8::1f - - [20/Nov/2026:10:00:01 +0000] "PUT /api/v1/orders HTTP/1.1" 200 1357 "-" "curl"';
    expect(run([lf('|>', '<_> - - <_> "<_> <_> <_>" <_> <_> "<_>" <_>')], nginx)).not.toBeNull();
    expect(run([lf('|>', '<_> "GET <_>')], nginx)).toBeNull();
    expect(run([lf('!>', '<_> "GET <_>')], nginx)).not.toBeNull();
  });
  it('ip() finds IPv4/IPv6 addresses inside the line: single, CIDR, range', () => {
    const nginx = '2001:db8::1f - - [20/Nov/2026:10:00:01 +0000] "GET / HTTP/1.1" 200';
    expect(run([lf('|=', { ip: '2001:db8::/32' })], nginx)).not.toBeNull();
    expect(run([lf('|=', { ip: '2001:db8::1f' })], nginx)).not.toBeNull();
    expect(run([lf('|=', { ip: '10.0.0.0/8' })], nginx)).toBeNull();
    expect(run([lf('|=', { ip: '10.0.0.0/8' })], 'client 10.2.147.78 ok')).not.toBeNull();
    expect(run([lf('|=', { ip: '10.2.147.70-10.2.147.80' })], 'client=10.2.147.78')).not.toBeNull();
    expect(run([lf('!=', { ip: '10.2.147.78' })], 'client=10.2.147.78')).toBeNull();
    expect(run([lf('|=', { ip: '192.168.0.1' })], 'v=1.2.3 192.168.0.1')).not.toBeNull();
  });
});

describe('json', () => {
  it('every key; nested keys joined with _; arrays skipped; numbers/bools as written; null skipped', () => {
    const out = run(
      [json()],
      '{"a":"x","n":1.50,"b":true,"z":null,"arr":[1,2],"o":{"p":{"q":"r"}},"esc":"a\\"b\\u00e9"}',
    );
    expect(out!.labels).toEqual({ a: 'x', n: '1.50', b: 'true', o_p_q: 'r', esc: 'a"bé' });
  });
  it('names: non [A-Za-z0-9_] → _, leading digit gets _, clash with stream label or metadata → _extracted', () => {
    const out = run(
      [json()],
      '{"http.version":"1.1","trace-id":"t","1x":"d","level":"warn","sm":"v","이름":"k"}',
      { level: 'info' },
      { sm: 'meta' },
    );
    expect(out!.labels).toEqual({
      level: 'info',
      level_extracted: 'warn',
      sm: 'meta',
      sm_extracted: 'v',
      http_version: '1.1',
      trace_id: 't',
      _1x: 'd',
      __: 'k',
    });
  });
  it('the first of duplicate keys wins, also across parsers', () => {
    expect(run([json()], '{"a":"1","a":"2"}')!.labels).toEqual({ a: '1' });
    expect(run([json(), logfmt()], '{"a":"1"}')!.labels).toEqual({ a: '1' });
  });
  it('invalid JSON keeps the line, labels before the break, and sets JSONParserErr with jsonparser details', () => {
    const out = run([json()], '{"level":"info","msg":"trunc');
    expect(out!.labels).toEqual({
      level: 'info',
      __error__: 'JSONParserErr',
      __error_details__: `Value is string, but can't find closing '"' symbol`,
    });
    expect(run([json()], '{n}')!.labels.__error_details__).toBe(
      "Value looks like object, but can't find closing '}' symbol",
    );
    expect(run([json()], 'plain text')!.labels.__error__).toBe('JSONParserErr');
  });
  it('parsing still runs on a line that already has __error__', () => {
    expect(run([logfmt({ strict: true }), json()], 'a="x {"b":"c"}')!.labels).toMatchObject({
      __error__: 'JSONParserErr',
    });
  });
  it('json with parameters: a.b, a[0], ["k"]; missing path → ""; objects raw', () => {
    const out = run(
      [json(['id', 'user.id'], ['first', 'tags[0]'], ['v', '["http.version"]'], ['u', 'user'], ['missing', 'nope.x'])],
      '{"user":{"id":"u10"},"tags":["checkout","v2"],"http.version":"1.1"}',
    );
    expect(out!.labels).toEqual({ id: 'u10', first: 'checkout', v: '1.1', u: '{"id":"u10"}', missing: '' });
  });
  it('json with parameters on a non-JSON line: JSONParserErr without details', () => {
    expect(run([json(['a', 'a'])], 'nope')!.labels).toEqual({ __error__: 'JSONParserErr' });
  });
});

describe('logfmt', () => {
  it('bare keys are skipped (kept as "" with --keep-empty); quoted values unescaped', () => {
    expect(run([logfmt()], 'a=1 b c="x \\"y\\"" d=')!.labels).toEqual({ a: '1', c: 'x "y"' });
    expect(run([logfmt({ keepEmpty: true })], 'a=1 b d=')!.labels).toEqual({ a: '1', b: '', d: '' });
  });
  it('malformed pairs are skipped; --strict stops with LogfmtParserErr', () => {
    expect(run([logfmt()], 'a=1 =x b="unterminated c=3')!.labels).toEqual({ a: '1' });
    expect(run([logfmt()], 'a=1 =x c=3')!.labels).toEqual({ a: '1', c: '3' });
    expect(run([logfmt({ strict: true })], 'a=1 =x c=3')!.labels).toEqual({
      a: '1',
      __error__: 'LogfmtParserErr',
      __error_details__: "logfmt syntax error at pos 5 : unexpected '='",
    });
  });
  it('params: label=key', () => {
    expect(
      run([logfmt({}, ['st', 'status'], ['d', 'duration'])], 'level=info status=200 duration=48.6ms')!.labels,
    ).toEqual({
      st: '200',
      d: '48.6ms',
    });
  });
  it('stream label clash → _extracted', () => {
    expect(run([logfmt()], 'app=x level=info', { app: 'web' })!.labels).toEqual({
      app: 'web',
      app_extracted: 'x',
      level: 'info',
    });
  });
});

describe('regexp / pattern / unpack', () => {
  it('regexp: named groups only, no error when it does not match', () => {
    expect(run([regexp('(?P<method>\\w+) (?P<path>\\S+) (\\d+)')], 'GET /x 200')!.labels).toEqual({
      method: 'GET',
      path: '/x',
    });
    expect(run([regexp('(?P<method>\\w+) (?P<path>\\S+)')], '!!')!.labels).toEqual({});
  });
  it('pattern: <name> captures, <_> skipped, no error on no match', () => {
    const nginx = '2001:db8::1f - - [20/Nov/2026:10:00:01 +0000] "PUT /api/v1/orders HTTP/1.1" 200 1357';
    expect(run([pattern('<ip> - - [<_>] "<method> <uri> <_>" <status> <size>')], nginx)!.labels).toEqual({
      ip: '2001:db8::1f',
      method: 'PUT',
      uri: '/api/v1/orders',
      status: '200',
      size: '1357',
    });
    expect(run([pattern('[<x>]')], 'no brackets')!.labels).toEqual({});
  });
  it('unpack: string values become labels and _entry replaces the line', () => {
    const out = run([{ kind: 'unpack', span: sp }], '{"_entry":"original line","pod":"p1","n":1}', { pod: 'x' });
    expect(out).toEqual({ line: 'original line', labels: { pod: 'x', pod_extracted: 'p1' } });
  });
});

describe('label filters', () => {
  it('string filters, anchored regex, missing label compares as ""', () => {
    expect(run([logfmt(), filt(str('level', '=~', 'inf'))], 'level=info')).toBeNull();
    expect(run([logfmt(), filt(str('level', '=~', 'inf.*'))], 'level=info')).not.toBeNull();
    expect(run([logfmt(), filt(str('nope', '=', ''))], 'level=info')).not.toBeNull();
  });
  it('numeric: conversion failure keeps the line with LabelFilterErr; missing label drops it', () => {
    expect(run([logfmt(), filt(num('status', '>=', 400))], 'status=500')).not.toBeNull();
    expect(run([logfmt(), filt(num('status', '>=', 400))], 'status=200')).toBeNull();
    expect(run([logfmt(), filt(num('status', '>=', 400))], 'status=abc')!.labels).toEqual({
      status: 'abc',
      __error__: 'LabelFilterErr',
      __error_details__: 'strconv.ParseFloat: parsing "abc": invalid syntax',
    });
    expect(run([logfmt(), filt(num('nope', '!=', 1))], 'status=abc')).toBeNull();
  });
  it('duration and bytes filters', () => {
    const d = (op: '>' | '<', seconds: number): LabelFilterExpr => ({
      kind: 'duration',
      name: 'duration',
      op,
      seconds,
      span: sp,
    });
    expect(run([logfmt(), filt(d('>', 0.04))], 'duration=48.6ms')).not.toBeNull();
    expect(run([logfmt(), filt(d('<', 0.04))], 'duration=48.6ms')).toBeNull();
    const by: LabelFilterExpr = { kind: 'bytes', name: 'size', op: '>=', bytes: 2048, span: sp };
    expect(run([json(), filt(by)], '{"size":"2KiB"}')).not.toBeNull();
    expect(run([json(), filt(by)], '{"size":"401B"}')).toBeNull();
  });
  it('and / or, and filters on __error__', () => {
    const e: LabelFilterExpr = { kind: 'or', left: str('a', '=', 'x'), right: str('b', '=', 'y'), span: sp };
    expect(run([logfmt(), filt(e)], 'a=q b=y')).not.toBeNull();
    expect(
      run([logfmt(), filt({ kind: 'and', left: str('a', '=', 'q'), right: str('b', '=', 'n'), span: sp })], 'a=q b=y'),
    ).toBeNull();
    expect(run([json(), filt(str('__error__', '=', ''))], 'not json')).toBeNull();
    expect(run([json(), filt(str('__error__', '=', 'JSONParserErr'))], 'not json')).not.toBeNull();
  });
  it('ip() label filter', () => {
    const ipf: LabelFilterExpr = { kind: 'ip', name: 'client_ip', op: '=', value: '10.2.0.0/16', span: sp };
    expect(run([json(), filt(ipf)], '{"client_ip":"10.2.147.78"}')).not.toBeNull();
    expect(run([json(), filt(ipf)], '{"client_ip":"10.3.46.64"}')).toBeNull();
  });
});

describe('formatters, decolorize, drop, keep', () => {
  it('line_format renders with labels; runtime error → TemplateFormatErr, line kept', () => {
    expect(run([logfmt(), { kind: 'lineFormat', template: '{{.a}}-{{.b}}', span: sp }], 'a=1 b=2')!.line).toBe('1-2');
    expect(run([{ kind: 'lineFormat', template: '{{.a}}', span: sp }], 'x')!.line).toBe('');
    const out = run([{ kind: 'lineFormat', template: 'x{{fail}}', span: sp }], 'orig');
    expect(out).toEqual({
      line: 'orig',
      labels: { __error__: 'TemplateFormatErr', __error_details__: 'template: label:1: boom' },
    });
    expect(() => compilePipeline([{ kind: 'lineFormat', template: '{{bad', span: sp }])).toThrow();
  });
  it('label_format: rename moves the value; template sets; same dst twice is rejected', () => {
    const st: Stage = {
      kind: 'labelFormat',
      ops: [
        { kind: 'rename', dst: 'lvl', src: 'level', span: sp },
        { kind: 'template', dst: 'x', template: '{{.app}}/{{.lvl}}', span: sp },
      ],
      span: sp,
    };
    expect(run([st], 'l', { app: 'web', level: 'info' })!.labels).toEqual({ app: 'web', lvl: 'info', x: 'web/info' });
    expect(() =>
      compilePipeline([
        {
          kind: 'labelFormat',
          ops: [
            { kind: 'rename', dst: 'a', src: 'b', span: sp },
            { kind: 'rename', dst: 'a', src: 'c', span: sp },
          ],
          span: sp,
        },
      ]),
    ).toThrow(/multiple label name 'a'/);
  });
  it('decolorize strips ANSI sequences', () => {
    const l = '\u001b[32m2026-11-20 10:00:01.274 UTC [1086] LOG:  checkpoint complete\u001b[0m';
    expect(run([{ kind: 'decolorize', span: sp }], l)!.line).toBe(
      '2026-11-20 10:00:01.274 UTC [1086] LOG:  checkpoint complete',
    );
  });
  it('drop: names, matchers, __error__', () => {
    const st: Stage = {
      kind: 'drop',
      labels: [
        { name: 'a', span: sp },
        { name: 'b', matcher: { op: '=', value: '2' }, span: sp },
        { name: '__error__', span: sp },
        { name: '__error_details__', span: sp },
      ],
      span: sp,
    };
    expect(run([logfmt(), json(), st], 'a=1 b=2 c=3')!.labels).toEqual({ c: '3' });
  });
  it('keep keeps only listed labels (stream labels too) and never drops __error__', () => {
    const st: Stage = {
      kind: 'keep',
      labels: [
        { name: 'app', span: sp },
        { name: 'c', matcher: { op: '=', value: '3' }, span: sp },
      ],
      span: sp,
    };
    expect(run([logfmt(), json(), st], 'a=1 c=3', { app: 'web', env: 'prod' })!.labels).toMatchObject({
      app: 'web',
      c: '3',
      __error__: 'JSONParserErr',
    });
    expect(Object.keys(run([logfmt(), json(), st], 'a=1 c=3', { app: 'web', env: 'prod' })!.labels).sort()).toEqual([
      '__error__',
      '__error_details__',
      'app',
      'c',
    ]);
  });
});

describe('unwrap', () => {
  const uw = (label: string, conversion?: Unwrap['conversion'], postFilters: Stage[] = []): Unwrap => ({
    label,
    conversion,
    postFilters: postFilters as Unwrap['postFilters'],
    span: sp,
  });
  it('plain float; the unwrapped label is removed from the sample labels', () => {
    const out = run([logfmt()], 'bytes=434 level=info', { app: 'web' })!;
    expect(compileUnwrap(uw('bytes'))(out)).toEqual({ value: 434, labels: { app: 'web', level: 'info' } });
  });
  it('duration() / duration_seconds() → seconds, bytes() → bytes', () => {
    const out = run([logfmt()], 'duration=48.6ms size=2KiB')!;
    expect(compileUnwrap(uw('duration', 'duration'))(out)!.value).toBeCloseTo(0.0486, 12);
    expect(compileUnwrap(uw('duration', 'duration_seconds'))(out)!.value).toBe(0.0486);
    expect(compileUnwrap(uw('size', 'bytes'))(out)!.value).toBe(2048);
  });
  it('missing label drops the sample; conversion failure keeps it with SampleExtractionErr; post filters apply', () => {
    const out = run([logfmt()], 'v=abc')!;
    expect(compileUnwrap(uw('nope'))(out)).toBeNull();
    expect(compileUnwrap(uw('v'))(out)).toEqual({
      value: 0,
      labels: {
        v: 'abc',
        __error__: 'SampleExtractionErr',
        __error_details__: 'strconv.ParseFloat: parsing "abc": invalid syntax',
      },
    });
    expect(compileUnwrap(uw('v', undefined, [filt(str('__error__', '=', ''))]))(out)).toBeNull();
  });
});

describe('conformance dataset lines', () => {
  type Push = { streams: { stream: Labels; values: [string, string][] }[] };
  const data = JSON.parse(
    readFileSync(new URL('../../../tests/fixtures/conformance/dataset.json', import.meta.url), 'utf8'),
  ) as Push;
  const first = (app: string) => data.streams.find((s) => s.stream.app === app)!;
  it('api JSON: Korean text, dotted/dashed keys, nested user, stream-label clash on level', () => {
    const s = first('api');
    const out = run([json()], s.values[0][1], s.stream)!;
    expect(out.labels).toMatchObject({
      level: 'info',
      level_extracted: 'info',
      msg: '주문 생성',
      http_version: '1.1',
      trace_id: '34b927f7447ad514',
      user_id: 'u10',
      user_region: 'ap-northeast',
      status: '200',
      latency_ms: '198.101',
    });
    expect(out.labels.tags).toBeUndefined();
  });
  it('every line of every stream runs through json | logfmt | decolorize without throwing', () => {
    const p = compilePipeline([{ kind: 'decolorize', span: sp }, json(), logfmt()]);
    let n = 0;
    for (const s of data.streams)
      for (const [ts, line] of s.values) if (p({ ts: BigInt(ts), line, stream: s.stream })) n++;
    expect(n).toBeGreaterThan(1000);
  });
});
