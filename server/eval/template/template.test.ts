import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileTemplate,
  setTemplateLocalZone,
  TEMPLATE_FUNCTIONS,
  TemplateError,
  type TemplateContext,
} from './index';

// Go's time.Local: make the tests independent of the machine's zone.
beforeAll(() => {
  setTemplateLocalZone('UTC');
});
afterAll(() => {
  setTemplateLocalZone('UTC');
});

const TS = 1679577215123456789n; // 2023-03-23T13:13:35.123456789Z

function run(src: string, labels: Record<string, string> = {}, line = 'the line', ts: bigint = TS): string {
  const ctx: TemplateContext = { labels, line, ts };
  return compileTemplate(src)(ctx);
}

function parseErr(src: string): TemplateError {
  try {
    compileTemplate(src);
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return e as TemplateError;
  }
  throw new Error(`expected parse error for ${src}`);
}

function execErr(src: string, labels: Record<string, string> = {}): TemplateError {
  const f = compileTemplate(src);
  try {
    f({ labels, line: '', ts: 0n });
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return e as TemplateError;
  }
  throw new Error(`expected runtime error for ${src}`);
}

describe('text, actions and trim markers', () => {
  it('copies text and evaluates fields', () => {
    expect(run('plain')).toBe('plain');
    expect(run('')).toBe('');
    expect(run('{{ .path }}', { path: '/api' })).toBe('/api');
    expect(run('a={{.a}} b={{.b}}', { a: '1', b: '2' })).toBe('a=1 b=2');
  });
  it('renders missing labels as empty string (missingkey=zero)', () => {
    expect(run('[{{ .nope }}]')).toBe('[]');
    expect(run('[{{ .nope }}]{{ .x }}', { x: 'y' })).toBe('[]y');
    expect(run('{{ index . "nope" }}|{{ index . "x" }}', { x: 'y' })).toBe('|y');
  });
  it('does not read prototype properties as labels', () => {
    expect(run('[{{ .constructor }}]')).toBe('[]');
    expect(run('[{{ .toString }}][{{ .a }}]', { a: '1' })).toBe('[][1]');
  });
  it('prints dot as a Go map', () => {
    expect(run('{{ . }}', { b: '2', a: '1' })).toBe('map[a:1 b:2]');
    expect(run('{{ $ }}', { a: '1' })).toBe('map[a:1]');
  });
  it('trims whitespace with {{- and -}}', () => {
    expect(run('a  \n {{- .x -}} \n\t b', { x: 'X' })).toBe('aXb');
    expect(run('a {{- .x }} b', { x: 'X' })).toBe('aX b');
    expect(run('a {{ .x -}} b', { x: 'X' })).toBe('a Xb');
    expect(run('{{- 3 -}}')).toBe('3');
    expect(run('x {{-3}} y')).toBe('x -3 y'); // no space after '-': a number, not a trim marker
  });
  it('supports comments', () => {
    expect(run('a{{/* comment */}}b')).toBe('ab');
    expect(run('a {{- /* comment */ -}} b')).toBe('ab');
    expect(run('a{{/* multi\nline */}}b')).toBe('ab');
  });
  it('allows newlines inside actions', () => {
    expect(run('{{ if\n eq .a "1" }}yes{{ end }}', { a: '1' })).toBe('yes');
  });
});

describe('literals', () => {
  it('handles strings with Go escapes and raw strings', () => {
    expect(run('{{ "a\\tb\\n\\x41\\u00e9\\101" }}')).toBe('a\tb\nAéA');
    expect(run('{{ "\\xc3\\xa9" }}')).toBe('é');
    expect(run('{{ `raw \\n "q"` }}')).toBe('raw \\n "q"');
  });
  it('handles numbers, chars, bools and nil', () => {
    expect(run('{{ 42 }} {{ -7 }} {{ 1.5 }} {{ 1e3 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1_000 }} {{ 010 }}')).toBe(
      '42 -7 1.5 1000 31 15 5 1000 8',
    );
    expect(run("{{ 'a' }} {{ '\\n' }}")).toBe('97 10');
    expect(run('{{ true }} {{ false }}')).toBe('true false');
    expect(run('{{ 1e21 }} {{ 1234567.0 }} {{ 123456.0 }} {{ 0.0001 }} {{ 0.00001 }}')).toBe(
      '1e+21 1.234567e+06 123456 0.0001 1e-05',
    );
  });
  it('rejects nil as a command', () => {
    expect(execErr('{{ nil }}').message).toContain('nil is not a command');
  });
});

describe('variables', () => {
  it('declares, assigns and scopes variables', () => {
    expect(run('{{ $x := "a" }}{{ $x }}{{ $x = "b" }}{{ $x }}')).toBe('ab');
    expect(run('{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}')).toBe('21');
    expect(run('{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}')).toBe('2');
    expect(run('{{ $v := .a }}{{ $v | upper }}', { a: 'q' })).toBe('Q');
    expect(run('{{ with $x := .a }}{{ $x }}{{ . }}{{ end }}', { a: 'q' })).toBe('qq');
  });
  it('reports undefined variables at parse time', () => {
    const e = parseErr('ab{{ $nope }}');
    expect(e.message).toContain('undefined variable "$nope"');
    expect(e.pos).toBe(5);
    expect(parseErr('{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}').message).toContain('undefined variable "$x"');
  });
});

describe('control structures', () => {
  it('if / else if / else', () => {
    const t = '{{ if eq .a "1" }}one{{ else if eq .a "2" }}two{{ else }}other{{ end }}';
    expect(run(t, { a: '1' })).toBe('one');
    expect(run(t, { a: '2' })).toBe('two');
    expect(run(t, { a: '3' })).toBe('other');
    expect(run('{{ if .a }}set{{ else }}unset{{ end }}', { a: '' })).toBe('unset');
    expect(run('{{ if .missing }}set{{ else }}unset{{ end }}')).toBe('unset');
  });
  it('doc examples for boolean logic', () => {
    expect(run('{{ if and (contains "he" "hello") (contains "llo" "hello") }} yes {{end}}')).toBe(' yes ');
    expect(run('{{ if or (contains "he" "hello") (contains "llo" "hello") }} yes {{end}}')).toBe(' yes ');
    expect(
      run('{{ if contains "ErrTimeout" .err }} timeout {{else if contains "he" "hello"}} yes {{else}} no {{end}}', {
        err: 'x',
      }),
    ).toBe(' yes ');
    expect(run('{{ if contains "ErrTimeout" .err }} timeout {{end}}', { err: 'ErrTimeout!' })).toBe(' timeout ');
    expect(run('{{ if eq "hello" "hello" }} yes {{end}}')).toBe(' yes ');
    expect(run('{{ if hasPrefix "he" "hello" }} yes {{end}}')).toBe(' yes ');
    expect(run('{{ if hasSuffix .err "Timeout" }} timeout {{end}}', { err: 'xTimeout' })).toBe(''); // (suffix, src) order
    expect(run('{{ if hasSuffix "Timeout" .err }} timeout {{end}}', { err: 'ErrTimeout' })).toBe(' timeout ');
  });
  it('with / else with', () => {
    expect(run('{{ with .a }}[{{ . }}]{{ else }}none{{ end }}', { a: 'x' })).toBe('[x]');
    expect(run('{{ with .a }}[{{ . }}]{{ else }}none{{ end }}', {})).toBe('none');
    expect(run('{{ with .a }}A{{ else with .b }}B{{ . }}{{ else }}none{{ end }}', { b: 'b' })).toBe('Bb');
  });
  it('range over slices, maps and integers, with break/continue and else', () => {
    const json = '{{ range $q := fromJson .queries }} {{ $q.query }} {{ end }}';
    expect(run(json, { queries: '[{"query":"up"},{"query":"down"}]' })).toBe(' up  down ');
    expect(run('{{ range $i, $e := fromJson "[\\"a\\",\\"b\\"]" }}{{ $i }}:{{ $e }};{{ end }}')).toBe('0:a;1:b;');
    expect(run('{{ range $k, $v := . }}{{ $k }}={{ $v }},{{ end }}', { b: '2', a: '1' })).toBe('a=1,b=2,');
    expect(run('{{ range . }}{{ . }}{{ end }}', { b: '2', a: '1' })).toBe('12');
    expect(run('{{ range 3 }}{{ . }}{{ end }}')).toBe('012');
    expect(run('{{ range fromJson "[]" }}x{{ else }}empty{{ end }}')).toBe('empty');
    expect(
      run(
        '{{ range $i := 10 }}{{ if eq $i 2 }}{{ continue }}{{ end }}{{ if eq $i 4 }}{{ break }}{{ end }}{{ $i }}{{ end }}',
      ),
    ).toBe('013');
    expect(execErr('{{ range .a }}{{ end }}', { a: 'str' }).message).toContain("range can't iterate over str");
  });
  it('define / template / block', () => {
    expect(run('{{ define "x" }}<{{ . }}>{{ end }}{{ template "x" .a }}', { a: 'A' })).toBe('<A>');
    expect(run('{{ block "b" .a }}[{{ . }}]{{ end }}', { a: 'A' })).toBe('[A]');
    expect(parseErr('{{ template "nope" }}').message).toContain('no such template');
  });
  it('field access on JSON objects', () => {
    expect(run('{{ (fromJson .j).a.b }}', { j: '{"a":{"b":"deep"}}' })).toBe('deep');
    expect(run('{{ $m := fromJson .j }}{{ $m.n }} {{ $m.missing }} {{ index $m "n" }}', { j: '{"n":1.5}' })).toBe(
      '1.5 <no value> 1.5',
    );
    expect(run('{{ fromJson "{\\"foo\\": 55}" }}')).toBe('map[foo:55]');
    expect(run('{{ fromJson "not json" }}')).toBe('<no value>');
    expect(execErr('{{ .a.b }}', { a: 'x' }).message).toContain("can't evaluate field b in type string");
  });
  it('time methods via chained fields', () => {
    expect(
      run('{{ __timestamp__.Unix }} {{ (__timestamp__).Year }} {{ __timestamp__.Format "15:04" }}', {}, '', TS),
    ).toBe('1679577215 2023 13:13');
  });
});

describe('pipelines and calls', () => {
  it('passes the previous value as last argument', () => {
    expect(run('{{ .path | replace " " "_" | trunc 5 | upper }}', { path: 'a b c d e f' })).toBe('A_B_C');
    expect(run('{{ "x" | printf "%s-%s" "a" }}')).toBe('a-x');
    expect(run('{{ ("abc" | upper) }}')).toBe('ABC');
  });
  it('reports arity and type errors', () => {
    expect(execErr('{{ upper }}').message).toContain('wrong number of args for upper: want 1 got 0');
    expect(execErr('{{ upper "a" "b" }}').message).toContain('wrong number of args for upper: want 1 got 2');
    expect(execErr('{{ trunc .n "hello" }}', { n: '2' }).message).toContain(
      'wrong type for value; expected int; got string',
    );
    expect(execErr('{{ upper 3 }}').message).toContain('expected string; found 3');
    expect(execErr('{{ .a 1 }}', { a: 'x' }).message).toContain('a is not a method but has arguments');
    expect(execErr('{{ "a" | "b" }}'.replace('"b"', 'upper "b"')).message).toContain('wrong number of args');
  });
  it('rejects non-executable pipeline stages at parse time', () => {
    expect(parseErr('{{ .a | "b" }}').message).toContain('non executable command in pipeline stage 2');
  });
});

describe('comparison functions (Go rules)', () => {
  it('eq is multi-way and type-strict', () => {
    expect(run('{{ eq 1 1 }} {{ eq 1 2 3 1 }} {{ eq "a" "b" }} {{ eq .a "x" }}', { a: 'x' })).toBe(
      'true true false true',
    );
    expect(run('{{ eq 1.5 1.5 }} {{ eq true true }}')).toBe('true true');
    expect(execErr('{{ eq .a 1 }}', { a: '1' }).message).toContain('incompatible types for comparison');
    expect(execErr('{{ eq 1 1.5 }}').message).toContain('incompatible types for comparison');
    expect(execErr('{{ eq 1 }}').message).toContain('missing argument for comparison');
  });
  it('ordering', () => {
    expect(run('{{ lt 1 2 }} {{ le 2 2 }} {{ gt 3 2 }} {{ ge 1 2 }} {{ ne 1 2 }}')).toBe('true true true false true');
    expect(run('{{ lt "a" "b" }} {{ gt "b" "a" }} {{ lt 1.5 2.5 }}')).toBe('true true true');
    expect(run('{{ lt (int .a) 10 }}', { a: '5' })).toBe('true');
    expect(execErr('{{ lt 1 "a" }}').message).toContain('incompatible types for comparison');
    expect(execErr('{{ lt true false }}').message).toContain('invalid type for comparison');
  });
  it('and/or return operands and short-circuit', () => {
    expect(run('{{ and 1 0 2 }}|{{ and 1 2 }}|{{ or 0 "" "x" }}|{{ or 0 "" }}')).toBe('0|2|x|');
    // the second operand would fail if evaluated
    expect(run('{{ or "x" (index .missing 5) }}')).toBe('x');
    expect(run('{{ and "" (index .missing 5) }}')).toBe('');
    expect(run('{{ not "" }} {{ not 1 }}')).toBe('true false');
  });
});

describe('builtins: len, index, slice, print*, html, js, urlquery', () => {
  it('len counts bytes', () => {
    expect(run('{{ len "héllo" }} {{ len . }} {{ len (fromJson "[1,2]") }}', { a: '1' })).toBe('6 1 2');
  });
  it('index and slice', () => {
    expect(run('{{ index "abc" 1 }}')).toBe('98');
    expect(run('{{ index (fromJson "[[1,2],[3,4]]") 1 0 }}')).toBe('3');
    expect(run('{{ slice "hello" 1 3 }} {{ slice "hello" 2 }} {{ slice (fromJson "[1,2,3]") 1 }}')).toBe(
      'el llo [2 3]',
    );
    expect(execErr('{{ index "abc" 5 }}').message).toContain('index out of range: 5');
  });
  it('print, println', () => {
    expect(run('{{ print "a" "b" 1 2 "c" }}')).toBe('ab1 2c');
    expect(run('{{ println "a" 1 }}')).toBe('a 1\n');
    expect(run('{{ print }}')).toBe('');
  });
  it('html, js, urlquery', () => {
    expect(run(`{{ html "<a href='x'>&\\"" }}`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&#34;');
    expect(run(`{{ js "it's <b>\\n" }}`)).toBe("it\\'s \\u003Cb\\u003E\\u000A");
    expect(run('{{ urlquery "a b&c=d/é" }}')).toBe('a+b%26c%3Dd%2F%C3%A9');
  });
});

describe('printf verbs', () => {
  const p = (f: string, ...args: string[]) => run(`{{ printf ${JSON.stringify(f)} ${args.join(' ')} }}`);
  it('strings', () => {
    expect(p('The IP address was %s', '"129.168.1.1"')).toBe('The IP address was 129.168.1.1');
    expect(p('[%5s][%-5s][%.2s][%5.1s]', '"ab"', '"ab"', '"abc"', '"xyz"')).toBe('[   ab][ab   ][ab][    x]');
    expect(p('%-40.40s|', '"/a/509965767/alternative-to-my-mtg.html"')).toBe(
      '/a/509965767/alternative-to-my-mtg.html |',
    );
    expect(p('%15.15s', '"ClientHost"')).toBe('     ClientHost');
    expect(p('%q %x %X % x', '"a\\"b"', '"hi"', '"hi"', '"hi"')).toBe('"a\\"b" 6869 6869 68 69');
    expect(p('%v %s', '"x"', '"y"')).toBe('x y');
  });
  it('integers', () => {
    expect(
      p(
        '%d|%5d|%-5d|%05d|%+d|%x|%X|%o|%b|%c|%q|%U',
        '42',
        '42',
        '42',
        '-42',
        '42',
        '255',
        '255',
        '8',
        '5',
        '65',
        '65',
        '65',
      ),
    ).toBe("42|   42|42   |-0042|+42|ff|FF|10|101|A|'A'|U+0041");
    expect(p('%#x %#o %.3d', '255', '8', '7')).toBe('0xff 010 007');
  });
  it('floats', () => {
    expect(
      p('%f|%.2f|%8.3f|%-8.1f|%e|%g|%v', '3.14159', '3.14159', '3.14159', '2.5', '1234.5678', '0.000012345', '2.50'),
    ).toBe('3.141590|3.14|   3.142|2.5     |1.234568e+03|1.2345e-05|2.5');
    expect(p('%.0f %.0f %.1f %.2f', '2.5', '3.5', '0.25', '1.005')).toBe('2 4 0.2 1.00');
    expect(p('%.3g %G %E', '1234.5678', '1e-7', '123456.789')).toBe('1.23e+03 1E-07 1.234568E+05');
    expect(p('%06.2f %+.1f', '3.14159', '2.0')).toBe('003.14 +2.0');
  });
  it('bools, types and errors', () => {
    expect(p('%t %v', 'true', 'false')).toBe('true false');
    expect(p('%T %T %T %T %T', '"s"', '1', '1.5', 'true', '.')).toBe('string int float64 bool map[string]string');
    expect(p('%d', '"x"')).toBe('%!d(string=x)');
    expect(p('%s', '1')).toBe('%!s(int=1)');
    expect(p('%s %s', '"a"')).toBe('a %!s(MISSING)');
    expect(p('%s', '"a"', '"b"', '1')).toBe('a%!(EXTRA string=b, int=1)');
    expect(p('100%%')).toBe('100%');
    expect(p('%+v %#v %v', '1', '"a"', '(fromJson "[1,\\"x\\"]")')).toBe('1 "a" [1 x]');
    expect(run('{{ 3 | printf "%d" }}')).toBe('3');
    expect(p('%[2]s %[1]s', '"a"', '"b"')).toBe('b a');
    expect(p('%*d|%-*d', '5', '1', '3', '2')).toBe('    1|2  ');
  });
});

describe('Loki functions (doc examples)', () => {
  it('__line__ and __timestamp__', () => {
    expect(run('{{ __line__ | lower }}', {}, 'HeLLo')).toBe('hello');
    expect(run('{{ __line__ }}', {}, 'x y')).toBe('x y');
    expect(run('{{ __timestamp__ }}')).toBe('2023-03-23 13:13:35.123456789 +0000 UTC');
    expect(run('{{ __timestamp__ | date "2006-01-02T15:04:05.00Z-07:00" }}')).toBe('2023-03-23T13:13:35.12Z+00:00');
    expect(run('{{ __timestamp__ | unixEpoch }}')).toBe('1679577215');
    expect(run('{{ __timestamp__ | unixEpochMillis }}')).toBe('1679577215123');
    expect(run('{{ __timestamp__ | unixEpochNanos }}')).toBe('1679577215123456789');
  });
  it('date, toDate, toDateInZone, now, unixEpoch, unixToTime', () => {
    expect(run('{{ toDate "2006-01-02" "2021-11-02" }}')).toBe('2021-11-02 00:00:00 +0000 UTC');
    expect(run('{{ .foo | toDate "2006-01-02T15:04:05.999999999Z" }}', { foo: '2021-11-02T10:11:12.5Z' })).toBe(
      '2021-11-02 10:11:12.5 +0000 UTC',
    );
    expect(run('{{ toDateInZone "2006-01-02" "UTC" "2021-11-02" }}')).toBe('2021-11-02 00:00:00 +0000 UTC');
    expect(
      run('{{ .foo | toDateInZone "2006-01-02T15:04:05.999999999Z" "UTC" | unixEpoch }}', {
        foo: '2021-11-02T00:00:00Z',
      }),
    ).toBe('1635811200');
    expect(run('{{ toDateInZone "2006-01-02 15:04" "Europe/Paris" "2021-07-01 12:00" | unixEpoch }}')).toBe(
      '1625133600',
    );
    expect(run('{{ toDateInZone "2006-01-02 15:04 MST" "Europe/Paris" "2021-07-01 12:00 XYZ" }}')).toBe(
      '2021-07-01 12:00:00 +0000 XYZ',
    );
    expect(run('{{ toDateInZone "2006-01-02" "Not/AZone" "2021-11-02" | unixEpoch }}')).toBe('1635811200');
    expect(run('{{ toDate "2006-01-02" "garbage" }}')).toBe('0001-01-01 00:00:00 +0000 UTC');
    expect(run('{{ unixEpoch (toDate "2006-01-02" .createDate) }}', { createDate: '2023-01-01' })).toBe('1672531200');
    expect(run('from="{{date "2006-01-02" (unixToTime .from)}}"', { from: '1679577215' })).toBe('from="2023-03-23"');
    expect(
      run(
        '{{ unixToTime "19439" | unixEpoch }} {{ unixToTime "1679577215902" | unixEpochMillis }} {{ unixToTime "1679577215902000" | unixEpochNanos }} {{ unixToTime "1679577215902000001" | unixEpochNanos }}',
      ),
    ).toBe('1679529600 1679577215902 1679577215902000000 1679577215902000001');
    expect(execErr('{{ unixToTime "abc" }}').message).toContain("error calling unixToTime: unable to parse time 'abc'");
    const y = new Date().getUTCFullYear();
    expect(Number(run('{{ date "2006" now }}'))).toBeGreaterThanOrEqual(y - 1);
    expect(Math.abs(Number(run('{{ unixEpoch now }}')) - Date.now() / 1000)).toBeLessThan(5);
    expect(run('{{ date "2006-01-02" 0 }}')).toBe('1970-01-01');
  });
  it('Go time layouts', () => {
    const t = (layout: string) =>
      run(`{{ __timestamp__ | date ${JSON.stringify(layout)} }}`, {}, '', 1136239445000000000n + 123000000n); // 2006-01-02T22:04:05.123Z
    expect(t('2006-01-02T15:04:05Z07:00')).toBe('2006-01-02T22:04:05Z');
    expect(t('Mon Jan _2 15:04:05 MST 2006')).toBe('Mon Jan  2 22:04:05 UTC 2006');
    expect(t('Monday, January 2, 06 3:04PM pm')).toBe('Monday, January 2, 06 10:04PM pm');
    expect(t('02/01 .000 .999 ,000 -0700 -07:00 Z0700 __2 002')).toBe('02/01 .123 .123 ,123 +0000 +00:00 Z   2 002');
    expect(t('15:04:05.999999999')).toBe('22:04:05.123');
    expect(t('15:04:05.000000')).toBe('22:04:05.123000');
    expect(t('03:04:05 PM')).toBe('10:04:05 PM');
  });
  it('parses times with offsets, fractions and am/pm', () => {
    expect(run('{{ toDate "2006-01-02T15:04:05Z07:00" "2021-11-02T10:00:00+02:00" | unixEpoch }}')).toBe('1635840000');
    expect(run('{{ toDate "2006-01-02T15:04:05Z07:00" "2021-11-02T10:00:00+02:00" }}')).toBe(
      '2021-11-02 10:00:00 +0200 +0200',
    );
    expect(run('{{ toDate "2006-01-02 15:04:05" "2021-11-02 10:00:00.250" | unixEpochMillis }}')).toBe('1635847200250');
    expect(run('{{ toDate "Jan 2 2006 3:04PM" "Nov 2 2021 3:30PM" | unixEpoch }}')).toBe('1635867000');
    expect(run('{{ toDate "02/Jan/2006:15:04:05 -0700" "10/Oct/2000:13:55:36 -0700" | unixEpoch }}')).toBe('971211336');
  });
  it('string functions', () => {
    expect(run('{{ alignLeft 5 "hello world"}}')).toBe('hello');
    expect(run('{{ alignLeft 5 "hi"}}')).toBe('hi   ');
    expect(run('{{ alignRight 5 "hello world"}}')).toBe('world');
    expect(run('{{ alignRight 5 "hi"}}')).toBe('   hi');
    expect(run('{{ .foo | b64enc }}|{{ b64enc .foo }}', { foo: 'hello' })).toBe('aGVsbG8=|aGVsbG8=');
    expect(run('{{ .foo | b64dec }}|{{ b64dec "aGVsbG8" }}', { foo: 'aGVsbG8=' })).toBe('hello|hello');
    expect(run('{{ b64dec "a$b=" }}')).toBe('illegal base64 data at input byte 1');
    expect(run('{{ bytes "42 MB" }} {{ bytes "1.5KiB" }} {{ bytes "100" }}')).toBe('4.2e+07 1536 100');
    expect(execErr('{{ bytes "12 foo" }}').message).toContain('unhandled size name: foo');
    expect(
      run('{{ .foo | duration }} {{ duration_seconds "1m30.5s" }} {{ duration "-1.5h" }} {{ duration "250ms" }}', {
        foo: '2h',
      }),
    ).toBe('7200 90.5 -5400 0.25');
    expect(execErr('{{ duration "abc" }}').message).toContain('time: invalid duration "abc"');
    expect(run('{{ default "-" "" }}')).toBe('-');
    expect(run('{{ default "-" "foo" }}')).toBe('foo');
    expect(run('{{.http_request_headers_x_forwarded_for | default "-"}}')).toBe('-');
    expect(run('{{ default "-" 0 }}|{{ default "d" .x }}', { x: 'v' })).toBe('-|v');
    expect(run('{{ .request_method | lower }}|{{ lower  "HELLO"}}', { request_method: 'GET' })).toBe('get|hello');
    expect(run('{{ upper  "hello"}}')).toBe('HELLO');
    expect(run('{{ indent 4 .query }}', { query: 'a\nb' })).toBe('    a\n    b');
    expect(run('{{ nindent 4 .query }}', { query: 'a\nb' })).toBe('\n    a\n    b');
    expect(run('{{ repeat 3 "hello" }}')).toBe('hellohellohello');
    expect(
      run('{{ .cluster | replace "-cluster" "" }}|{{ replace "hello" "world" "hello world" }}', {
        cluster: 'us-cluster',
      }),
    ).toBe('us|world world');
    expect(
      run(
        '{{ .path | substr 2 5 }}|{{ substr 0 5 "hello world"}}|{{ substr 6 11 "hello world"}}|{{ substr -1 2 "abc" }}|{{ substr 1 -1 "abc" }}',
        { path: '/api/v1' },
      ),
    ).toBe('pi/|hello|world|ab|bc');
    expect(run('{{.request_method | title}}|{{ title "hello world"}}', { request_method: 'get' })).toBe(
      'Get|Hello World',
    );
    expect(run('[{{ trim "   hello    " }}]')).toBe('[hello]');
    expect(run('{{ .path | trimAll "/" }}|{{ trimAll "$" "$5.00" }}', { path: '/a/b/' })).toBe('a/b|5.00');
    expect(run('{{ .path | trimPrefix "/" }}|{{ trimPrefix "-" "-hello" }}', { path: '/x' })).toBe('x|hello');
    expect(run('{{ .path | trimSuffix "/" }}|{{ trimSuffix "-" "hello-" }}', { path: 'x/' })).toBe('x|hello');
    expect(
      run('{{ .path | trunc 2 }}|{{ trunc 5 "hello world"}}|{{ trunc -5 "hello world"}}|{{ trunc 50 "hi" }}', {
        path: 'abc',
      }),
    ).toBe('ab|hello|world|hi');
    expect(
      run('{{ .request_url | urlencode }}|{{ urldecode "a+b%2Fc%C3%A9" }}', { request_url: 'http://x/?a=1 2' }),
    ).toBe('http%3A%2F%2Fx%2F%3Fa%3D1+2|a b/cé');
    expect(execErr('{{ urldecode "%zz" }}').message).toContain('invalid URL escape "%zz"');
  });
  it('deprecated Go strings functions', () => {
    expect(
      run('{{ ToLower "ABC" }} {{ ToUpper "abc" }} {{ Replace "aaa" "a" "b" 2 }} {{ Replace "aaa" "a" "b" -1 }}'),
    ).toBe('abc ABC bba bbb');
    expect(
      run(
        '[{{ Trim "xxhixx" "x" }}][{{ TrimLeft "xxhi" "x" }}][{{ TrimRight "hixx" "x" }}][{{ TrimPrefix "prefix-a" "prefix-" }}][{{ TrimSuffix "a.go" ".go" }}][{{ TrimSpace "  a b \\n" }}]',
      ),
    ).toBe('[hi][hi][hi][a][a][a b]');
  });
  it('logical functions', () => {
    expect(
      run(
        '{{ contains "he" "hello" }} {{ contains "x" "hello" }} {{ hasPrefix "he" "hello" }} {{ hasSuffix "lo" "hello" }}',
      ),
    ).toBe('true false true true');
  });
  it('math functions', () => {
    expect(run('{{ add 3 2 5 }}')).toBe('10');
    expect(run('{{ addf 3.5 2 5 }}')).toBe('10.5');
    expect(run('{{ addf 0.1 0.2 }}')).toBe('0.3');
    expect(run('{{ ceil 123.001 }}')).toBe('124');
    expect(run('{{ div 10 2}}')).toBe('5');
    expect(run('{{ divf 10 2 4}}')).toBe('1.25');
    expect(run('{{ divf 1 3 }}')).toBe('0.3333333333333333');
    expect(run('{{ "3.5" | float64 }}')).toBe('3.5');
    expect(run('{{ floor 123.9999 }}')).toBe('123');
    expect(run('{{ "3" | int }} {{ int "3.0" }} {{ int "3.5" }} {{ int "0x10" }} {{ int 3.9 }} {{ int "abc" }}')).toBe(
      '3 3 0 16 3 0',
    );
    expect(run('{{ max 1 2 3 }} {{ min 1 2 3 }}')).toBe('3 1');
    expect(run('{{ maxf 1 2.5 3 }} {{ minf 1.5 2.5 3 }}')).toBe('3 1.5');
    expect(run('{{ mul 5 2 3}}')).toBe('30');
    expect(run('{{ mulf 5.5 2 2.5 }}')).toBe('27.5');
    expect(run('{{ mod 10 3}}')).toBe('1');
    expect(run('{{ round 123.555555 3 }}')).toBe('123.556');
    expect(run('{{ round 123.88571428571 5 .2 }}')).toBe('123.88572');
    expect(run('{{ round 123.88571428571 5 }}')).toBe('123.88571');
    expect(run('{{ sub 5 2 }}')).toBe('3');
    expect(run('{{ subf  5.5 2 1.5 }}')).toBe('2');
    expect(run('{{ sub .nowEpoch .createDateEpoch }}', { nowEpoch: '1700000000', createDateEpoch: '1699900000' })).toBe(
      '100000',
    );
    expect(run('{{ add .a .b }}', { a: '2', b: 'x' })).toBe('2');
    expect(execErr('{{ div 1 0 }}').message).toContain('integer divide by zero');
  });
  it('regex functions', () => {
    expect(run('{{ count "a|b" "abab" }}')).toBe('4');
    expect(run('{{ count "o" "foo" }}')).toBe('2');
    expect(run('{{ __line__ | count "XYZ"}}', {}, 'XYZ abc XYZ')).toBe('2');
    expect(run('{{ count "" "abc" }}')).toBe('4');
    expect(run('{{ regexReplaceAll "(a*)bc" .some_label "${1}a" }}', { some_label: 'aabcxbc' })).toBe('aaaxa');
    expect(run('{{ regexReplaceAllLiteral "(ts=)" .timestamp "timestamp=" }}', { timestamp: 'ts=1 ts=2' })).toBe(
      'timestamp=1 timestamp=2',
    );
    expect(run('{{ regexReplaceAllLiteral "(a)" "a" "$1" }}')).toBe('$1');
    expect(run('{{ regexReplaceAll "(?P<first>\\\\w+) (?P<last>\\\\w+)" "John Smith" "$last, $first" }}')).toBe(
      'Smith, John',
    );
    expect(run('{{ regexReplaceAll "(?i)hello" "HeLLo world" "bye" }}')).toBe('bye world');
    expect(run('{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }}')).toBe('---');
    expect(run('{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}')).toBe('-W-xxW-');
    expect(run('{{ regexReplaceAll "a*" "baaac" "-" }}')).toBe('-b-c-');
    expect(run('{{ regexReplaceAll "[[:digit:]]+" "a12b3" "#" }}')).toBe('a#b#');
    expect(run('{{ regexReplaceAll "\\\\Qa.b\\\\E" "a.b axb" "X" }}')).toBe('X axb');
    expect(execErr('{{ regexReplaceAll "(" "x" "y" }}').message).toContain(
      'error calling regexReplaceAll: error parsing regexp',
    );
  });
});

describe('local time zone', () => {
  it('renders __timestamp__, date and toDate in the configured Local zone', () => {
    expect(setTemplateLocalZone('America/New_York')).toBe(true);
    try {
      expect(run('{{ __timestamp__ }}')).toBe('2023-03-23 09:13:35.123456789 -0400 EDT');
      expect(run('{{ __timestamp__ | date "2006-01-02 15:04 MST Z07:00" }}', {}, '', 1672531200000000000n)).toBe(
        '2022-12-31 19:00 EST -05:00',
      );
      expect(run('{{ toDate "2006-01-02 15:04" "2023-07-01 12:00" | unixEpoch }}')).toBe('1688227200');
      expect(run('{{ __timestamp__.UTC }}')).toBe('2023-03-23 13:13:35.123456789 +0000 UTC');
    } finally {
      setTemplateLocalZone('UTC');
    }
    expect(setTemplateLocalZone('Nowhere/Special')).toBe(false);
  });
});

describe('parse errors with positions', () => {
  it('reports unknown functions', () => {
    const e = parseErr('hello {{ nope 1 }}');
    expect(e.message).toBe('template: line:1:10: function "nope" not defined');
    expect(e.pos).toBe(9);
  });
  it('reports line and column on later lines', () => {
    const e = parseErr('a\nbc {{ .x | bogus }}');
    expect(e.message).toContain('line:2:');
    expect(e.message).toContain('function "bogus" not defined');
    expect(e.pos).toBe(13);
  });
  it('reports structural errors', () => {
    expect(parseErr('{{ if .a }}x').message).toContain('unexpected EOF');
    expect(parseErr('{{ end }}').message).toContain('unexpected {{end}}');
    expect(parseErr('{{ else }}').message).toContain('unexpected {{else}}');
    expect(parseErr('{{ .a ').message).toContain('unclosed action');
    expect(parseErr('{{ }}').message).toContain('missing value for command');
    expect(parseErr('{{ if }}{{ end }}').message).toContain('missing value for if');
    expect(parseErr('{{ "abc }}').message).toContain('unterminated quoted string');
    expect(parseErr('{{ `abc }}').message).toContain('unterminated raw quoted string');
    expect(parseErr('{{ 12x }}').message).toContain('bad number syntax');
    expect(parseErr('{{ (upper "a" }}').message).toContain('unclosed left paren');
    expect(parseErr('{{ upper "a") }}').message).toContain('unexpected right paren');
    expect(parseErr('{{ break }}').message).toContain('{{break}} outside {{range}}');
    expect(parseErr('{{/* x */ }}').message).toContain('comment ends before closing delimiter');
    expect(parseErr('{{/* x').message).toContain('unclosed comment');
    expect(parseErr('{{ "a"."b" }}').message).toMatch(/unexpected/);
    expect(parseErr('{{ # }}').message).toContain('unexpected "#"');
  });
  it('reports runtime errors with position', () => {
    const e = execErr('xx{{ trunc .n "a" }}', { n: '1' });
    expect(e.message).toMatch(/^template: line:1:\d+: wrong type for value; expected int; got string$/);
    expect(typeof e.pos).toBe('number');
  });
});

describe('API', () => {
  it('exposes the function names', () => {
    for (const f of [
      '__line__',
      '__timestamp__',
      'printf',
      'regexReplaceAll',
      'toDateInZone',
      'alignLeft',
      'eq',
      'and',
      'default',
      'fromJson',
    ]) {
      expect(TEMPLATE_FUNCTIONS).toContain(f);
    }
  });
  it('compiles once and evaluates many times', () => {
    const f = compileTemplate('{{ .a | upper }}-{{ __line__ }}');
    expect(f({ labels: { a: 'x' }, line: 'l1', ts: 0n })).toBe('X-l1');
    expect(f({ labels: { a: 'y' }, line: 'l2', ts: 0n })).toBe('Y-l2');
  });
  it('is fast enough for per-line evaluation', () => {
    const f = compileTemplate(
      '{{ .level | upper }} {{ printf "%-10s" .app }} {{ if eq .status "500" }}ERR{{ else }}ok{{ end }} {{ __line__ | trunc 20 }}',
    );
    const ctx = {
      labels: { level: 'info', app: 'api', status: '200' },
      line: 'some log line that is long enough',
      ts: 0n,
    };
    const t0 = performance.now();
    for (let i = 0; i < 20000; i++) f(ctx);
    const dt = performance.now() - t0;
    expect(dt).toBeLessThan(2000);
  });
});

describe('bounded executions (issue 10: templates that grow without bound)', () => {
  const KB256 = 256 * 1024;
  const timed = (f: () => void): number => {
    const t0 = performance.now();
    f();
    return performance.now() - t0;
  };
  it('refuses repeat past the output bound before allocating', () => {
    let e: TemplateError | undefined;
    const ms = timed(() => (e = execErr('{{ repeat 100000000 "x" }}')));
    expect(e!.message).toMatch(/error calling repeat: template output exceeds the limit of 262144 bytes/);
    expect(ms).toBeLessThan(200);
    expect(execErr('{{ repeat 1000000 .app }}', { app: 'nginx' }).message).toMatch(/exceeds the limit/);
    // at the bound exactly: allowed
    expect(run(`{{ repeat ${KB256} "x" }}`)).toHaveLength(KB256);
    expect(execErr(`{{ repeat ${KB256 + 1} "x" }}`).message).toMatch(/exceeds the limit/);
    // non-ASCII counts in UTF-8 bytes
    expect(run(`{{ repeat ${KB256 / 2} "é" }}`)).toHaveLength(KB256 / 2);
    expect(execErr(`{{ repeat ${KB256 / 2 + 1} "é" }}`).message).toMatch(/exceeds the limit/);
    expect(execErr(`{{ repeat ${KB256 / 2} "é" }}x`).message).toMatch(/line:1:\d+: template output exceeds/);
  });
  it('bounds output built by many small writes', () => {
    const e = execErr('{{ range 10000000 }}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{{ end }}');
    expect(e.message).toMatch(/exceeds the limit|template execution steps/);
    const grow = execErr('{{ $x := "xx" }}{{ range 40 }}{{ $x = printf "%s%s" $x $x }}{{ end }}{{ $x }}');
    expect(grow.message).toMatch(/error calling printf: template output exceeds the limit/);
  });
  it('bounds the number of steps (loops without output)', () => {
    let e: TemplateError | undefined;
    const ms = timed(() => (e = execErr('{{ range 1000000000 }}{{ end }}')));
    expect(e!.message).toMatch(/exceeded the maximum of 100000 template execution steps/);
    expect(ms).toBeLessThan(1000);
    expect(execErr('{{ range 100000 }}{{ range 100000 }}{{ end }}{{ end }}').message).toMatch(/execution steps/);
  });
  it('bounds padding, indent and replace amplification', () => {
    expect(execErr('{{ alignLeft 100000000 "x" }}').message).toMatch(/error calling alignLeft: .*exceeds the limit/);
    expect(execErr('{{ alignRight 100000000 "x" }}').message).toMatch(/error calling alignRight: .*exceeds/);
    expect(execErr('{{ indent 100000000 "x" }}').message).toMatch(/error calling indent: .*exceeds/);
    expect(execErr(`{{ replace "x" (repeat 1000 "y") (repeat 1000 "x") }}`).message).toMatch(
      /error calling replace: .*exceeds/,
    );
    expect(execErr(`{{ regexReplaceAll "x" (repeat 1000 "x") (repeat 1000 "y") }}`).message).toMatch(
      /error calling regexReplaceAll: .*exceeds/,
    );
    // Go's fmt stops at a width past 1e6 (tooLarge) and prints %!(NOVERB)
    expect(run('{{ printf "%0100000000d" 1 }}')).toBe('%!(NOVERB)%!(EXTRA int=1)');
    expect(run('{{ printf "%.100000000f" 1.5 }}')).toBe('%!(NOVERB)%!(EXTRA float64=1.5)');
    expect(run('{{ printf "%5d|%-4s|" 42 "ab" }}')).toBe('   42|ab  |');
    // under the bound these still work
    expect(run('{{ alignLeft 5 "ab" }}|{{ indent 2 "a\\nb" }}|{{ replace "a" "bb" "aXa" }}')).toBe(
      'ab   |  a\n  b|bbXbb',
    );
  });
  it('template regexes run in linear time, with Go syntax', () => {
    let out = '';
    const ms = timed(() => (out = run('{{ regexReplaceAll "(a+)+$" .x "y" }}', { x: 'a'.repeat(40) + '!' })));
    expect(out).toBe('a'.repeat(40) + '!');
    expect(ms).toBeLessThan(500);
    expect(run('{{ count "(a|a)*b" .x }}', { x: 'a'.repeat(3000) })).toBe('0');
    // Go syntax the old translation refused: scoped flags, (?U)
    expect(run('{{ regexReplaceAll "(?i)a(?-i)b" "AB Ab ab" "x" }}')).toBe('AB x x');
    expect(run('{{ regexReplaceAll "(?U)a+" "aaa" "x" }}')).toBe('xxx');
    expect(execErr('{{ regexReplaceAll "\\\\C" "x" "y" }}').message).toMatch(/invalid escape sequence: `\\C`/);
  });
  it('the bounds are settings', async () => {
    const { setTemplateLimits, DEFAULT_TEMPLATE_LIMITS } = await import('./index');
    try {
      setTemplateLimits({ maxOutputBytes: 10, maxSteps: 5 });
      expect(run('{{ repeat 10 "x" }}')).toBe('xxxxxxxxxx');
      expect(execErr('{{ repeat 11 "x" }}').message).toMatch(/limit of 10 bytes/);
      expect(execErr('{{ range 10 }}{{ end }}').message).toMatch(/maximum of 5 template/);
    } finally {
      setTemplateLimits(DEFAULT_TEMPLATE_LIMITS);
    }
  });
});
