// Parsers in SQL (server/sql/pipeline): counting under `sum by (…)` over logfmt, json, pattern and regexp must give
// exactly what the TypeScript pipeline gives (the reference, checked against Loki by the conformance suite), on lines
// written to break naive SQL parsing: keys inside quoted values, escapes, empty and malformed values, keys that
// sanitise to the same name, nested JSON, invalid JSON, floats as written. Rows SQL is unsure of go through
// TypeScript inside the same query: the answer must not change, and the common lines must stay in SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../server/engine/engine';
import { execContext } from './context';
import { runMetricQuery } from '../../server/engine/metricQuery';
import { parse } from '../../server/logql/check';
import type { MetricExpr } from '../../server/logql/ast';
import { stepGrid } from '../../server/eval/steps';
import { expectSameSeries } from './sameSeries';
import { enginesToTest } from '../engines';

const engines = await enginesToTest();
const MIN = 60_000_000_000n;
const START = 1_795_168_800_000_000_000n;
const END = START + 30n * MIN;

const LOGFMT = [
  'level=info method=GET status=500 duration=12ms msg="ok"',
  'level=warn status=200 msg="fine" user_agent="curl/8.0"',
  'msg="status=200 inside quotes" status=503',
  'status= status=502',
  'xstatus=1 status=504',
  'status=5=0 status=501',
  'broken="unterminated status=500 level=error',
  'a="esc \\"q\\" status=1" status=500',
  'status="500" level=info',
  'status=500\tlevel=warn',
  'level=info',
  'status=abc level=debug',
  '  status=1e2  ',
  'status=0x10',
  'ключ=1 status=500',
  '\u00a0status=9 status=500',
  'latency-ms=5 latency_ms=7',
  'latency_ms=8 latency.ms=9',
  '5xx=4 _5xx=3',
  'a="x"status=505',
  'orphan status=500 level=',
  'level=ınfo msg="  x  " status=500',
  'level=Warn msg=" x\t" method=Get',
  'host=parsed app=x status=500 level=info',
  'status="" status=501',
  'a="x"status="" status=7',
  'status=5\ufffd0',
  'stat.us=7 status=8',
  '',
];

const JSON_LINES = [
  '{"status":500,"latency_ms":1.50,"level":"info"}',
  '{"status":"5xx","latency_ms":250}',
  '{"st atus":1,"status":200}',
  '{" status":7,"status":8}',
  '{"status":null,"level":"warn"}',
  '{"status":{"a":1},"level":"info"}',
  '{"latency":{"ms":3}}',
  '{"latency-ms":4,"latency_ms":2}',
  'not json status=500',
  '[1,2]',
  '{"status":500,}',
  '{"status":"","x":1}',
  '{"status":1e2,"latency_ms":"300"}',
  '{"status":true}',
  '{"msg":"status is fine","status":201}',
  '{"status":404,"status":405}',
  '{"latency_ms":11,"x":"\\"latency_ms\\"","latency_ms":12}',
  // keys spelled with escapes (Loki unescapes them), before and after the plain key; Go's escapes of `<` and `&`
  '{"l\\u0061tency_ms":5,"latency_ms":6}',
  '{"latency_ms":7,"l\\u0061tency_ms":8}',
  '{"st\\u0061tus":404,"level":"error"}',
  '{"msg":"\\u003cb\\u003e \\u0026","status":202}',
  '{"latency":{"ms":9},"latency_ms":10}',
  '{" latency_ms ":3,"status":203}',
];

// `| json label="path"`: nested keys, array indexes, bracketed keys with dots, duplicates (the first wins), JSON null,
// objects and arrays (kept as written), -0, floats, escapes, U+FFFD, lines Loki refuses (a leading space, not JSON)
const JSON_PARAM_LINES = [
  '{"status":500,"latency_ms":1.50,"user":{"region":"eu","id":7},"tags":["a","b"]}',
  '{"status":"503","user":{"region":"us"},"tags":[]}',
  '{"user":{"region":"eu","region":"xx"},"status":200}',
  '{"user":null,"status":null}',
  '{"user":{"region":null},"latency_ms":250}',
  '{"status":-0,"user":{"region":"-0"}}',
  '{"status":1e2,"latency_ms":"300"}',
  ' {"status":500}',
  'not json',
  '',
  '[{"status":1}]',
  '{"a.b":{"c":"dot"},"status":404}',
  '{"status":"5\\u00e9","user":{"region":"caf\\u00e9"}}',
  '{"status":500,"user":{"region":"bad\ufffd"}}',
  '{"tags":[{"x":1},"y"],"status":201}',
  '{"status":500,}',
  '{"user":{"region":"eu"},"status":5e2}',
  '{"status":18446744073709551616,"latency_ms":-0}',
  '{"user" : { "region" : "spaced" } , "status" : 502 }',
];

const NGINX = [
  '10.0.0.1 - - [10/Nov/2026:00:00:02 +0000] "GET /api/v1/pay HTTP/1.1" 200 561 "-" "curl/8.0"',
  '10.0.0.2 - - [10/Nov/2026:00:00:03 +0000] "POST /api/v1/orders HTTP/1.1" 503 12 "-" "k"',
  '10.0.0.3 - - "GET',
  'no quotes here 404',
  '10.0.0.4 - - [x] "DELETE  HTTP/1.1" 404 1 "-" "x"',
  '" "',
];

// ANSI escapes decolorize removes (7-bit and 8-bit CSI, OSC ended by BEL, private modes) and some it leaves
const COLOURED = [
  '\u001b[31mERROR\u001b[0m failed status=500',
  '\u001b[32minfo\u001b[0m done status=200',
  '\u009b31mERROR\u009b0m csi',
  'ERROR plain',
  '\u001b]0;title\u0007ERROR osc',
  '\u001b[1;31;40mERROR\u001b[m bold',
  '\u001b[?25lERROR hidden cursor',
  'grüße \u001b[31mö\u001b[0m',
  '\u001b[12345mERROR too many digits',
  '\u001b',
  '',
];

const QUERIES = [
  // line_format with templates of text and fields, and decolorize: the line they leave is computed in SQL where a
  // line filter or bytes_over_time reads it
  'sum by (host) (count_over_time({app="lf"} | logfmt | line_format "{{.level}} {{.status}}" |= "info 5" [5m]))',
  'sum by (host) (bytes_over_time({app="lf"} | logfmt | line_format "{{.status}}-{{.missing}}" [5m]))',
  'sum by (host) (count_over_time({app="lf"} | line_format "{{.host}}:{{ .app }}" |= "a:lf" [5m]))',
  'sum by (host) (count_over_time({app="lf"} | logfmt | line_format "x{{.status}}" |= "" [5m]))',
  'sum by (host) (count_over_time({app="lf"} | logfmt | drop level | line_format "{{.level}}" != "info" [5m]))',
  'sum by (host) (count_over_time({app="lf"} | logfmt | line_format "{{.status}}" | line_format "s{{.level}}" |~ "^sinfo$" [5m]))',
  'sum by (m) (count_over_time({app="lf"} | logfmt | label_format m="{{.level}}" | line_format "{{.m}}/{{.status}}" != "warn/" [5m]))',
  'sum by (host) (bytes_over_time({app="co"} | decolorize [5m]))',
  'sum by (host) (count_over_time({app="co"} | decolorize |~ "^ERROR" [5m]))',
  'sum by (host) (count_over_time({app="co"} | decolorize != "\\x1b" [5m]))',
  'sum by (host) (bytes_over_time({app="co"} | line_format "\\x1b[31m{{.host}}\\x1b[0m" | decolorize [5m]))',
  'sum by (host) (count_over_time({app="co"} |= "ERROR" | decolorize | line_format "<{{.host}}>" |= "<" [5m]))',
  // logfmt --strict: as without the flag on lines it decodes without a syntax error; the others (an unterminated or
  // stray quote, `=` without a key, …) set LogfmtParserErr in TypeScript
  'sum by (status) (count_over_time({app="lf"} | logfmt --strict [5m]))',
  'sum by (level, __error__) (count_over_time({app="lf"} | logfmt --strict [5m]))',
  'sum by (status) (count_over_time({app="lf"} | logfmt --strict | __error__="" | status >= 500 [5m]))',
  // label_format with templates of text and fields: labels made in SQL (every template reads the labels as they were
  // before the stage; a missing field is '')
  'sum by (m) (count_over_time({app="lf"} | logfmt | label_format m="{{.level}}/{{.status}}" [5m]))',
  'sum by (m, n) (count_over_time({app="lf"} | logfmt | label_format m="{{ .method }}x", n="<{{.m}}>" [5m]))',
  'sum by (host) (count_over_time({app="lf"} | logfmt | label_format s="{{.status}}" | s=~"50[0-9]" [5m]))',
  'sum by (m) (count_over_time({app="lf"} | logfmt | label_format m="{{.status}}" | drop status [5m]))',
  // --keep-empty: lines with an empty value for a label read (`status=`, a bare key) go to TypeScript
  'sum by (status) (count_over_time({app="lf"} | logfmt --keep-empty [5m]))',
  'sum by (level, status) (count_over_time({app="lf"} | logfmt --keep-empty | status="" [5m]))',
  'sum by (status) (count_over_time({app="lf"} | logfmt --keep-empty --strict | orphan="" [5m]))',
  'sum by (host) (count_over_time({app="lf"} | logfmt --keep-empty | json | status="" [5m]))',
  // drop and keep before the first parser remove stream labels: a parsed key of that name becomes <name>_extracted
  'sum by (status) (count_over_time({app="lf"} | drop host | logfmt [5m]))',
  'sum by (status) (count_over_time({app="lf"} | keep host | logfmt [5m]))',
  'sum by (host, level) (count_over_time({app="lf"} | drop host | logfmt [5m]))',
  'sum by (host, status) (count_over_time({app="lf"} | drop host="a" | logfmt | status >= 500 [5m]))',
  'sum by (app, host, level) (count_over_time({app="lf"} | keep app, host!="a" | logfmt [5m]))',
  'sum by (host, level) (count_over_time({app="lf"} | keep level | logfmt [5m]))',
  'sum by (host, ip) (count_over_time({app="ng"} | drop host | pattern "<ip> <_>" [5m]))',
  // no sum over the counts: a pipeline whose label set the query fixes (pattern, regexp, json with parameters) is
  // counted per every label in SQL (rows with structured metadata, which adds labels, in TypeScript)
  'count_over_time({app="ng"} | pattern "<ip> - - [<_>] \\"<method> <path> <_>\\" <status> <size> <_>" [5m])',
  'rate({app="ng"} | regexp "\\"(?P<method>[A-Z]+) (?P<path>\\\\S+)" | method != "GET" [5m])',
  'bytes_over_time({app="jp"} | json region="user.region", st="status" [5m])',
  'count_over_time({app="lf"} | regexp "status=(?P<status>\\\\d+)" | label_format s="{{.status}}x" [5m])',
  'max by (method) (count_over_time({app="ng"} | pattern "<_> \\"<method> <path> <_>" [5m]))',
  'topk(2, count_over_time({app="lf"} | regexp "level=(?P<level>\\\\w+)" [5m]))',
  'count_over_time({app="lf"} | regexp "level=(?P<level>\\\\w+)" | drop host [5m])',
  // JSON errors where Loki's hints have the json parser run on every line: a line not starting with `{` surely
  // carries JSONParserErr, a valid object none (lines in between go to TypeScript)
  'sum by (app) (count_over_time({app=~"js|lf"} | json | __error__ != "" [5m]))',
  'sum by (__error__) (count_over_time({app=~"js|lf|ng"} | json [5m]))',
  'sum(rate({app=~"js|lf"} | json | __error__="JSONParserErr" [5m]))',
  'sum by (host) (bytes_over_time({app="js"} |= "status" | json | __error__ != "" or __error__ = "" [5m]))',
  'sum(count_over_time({app=~"js|lf"} | json [5m]))',
  // errors not asked for (no __error__ in the query) fail it when they reach the aggregation: TypeScript raises that
  'sum by (app) (bytes_over_time({app="lf", host="a"} |= "status" | json [5m]))',
  'sum by (app) (count_over_time({app="lf", host="b"} | json [5m]))',
  // template functions on ASCII texts (ToUpper, ToLower, TrimSpace and sprig's names); others' rows in TypeScript
  'sum by (l) (count_over_time({app="lf"} | logfmt | label_format l=`{{ToUpper .level}}` [5m]))',
  'sum by (l) (count_over_time({app="lf"} | logfmt | label_format l="{{ .level | lower }}-{{ upper .method }}" [5m]))',
  'sum by (host) (count_over_time({app="lf"} | logfmt | line_format "<{{ TrimSpace .msg }}>" |= "<x>" [5m]))',
  'sum by (t) (count_over_time({app="lf"} | logfmt | label_format t="{{ trim .msg }}|{{ ToLower .host }}" [5m]))',
  // onto a stream label: the value set stands over the stream's (Loki's LabelsBuilder.Set of a parsed label)
  'sum by (level) (count_over_time({app="js"} | json | label_format level="{{.status}}" [5m]))',
  'sum by (host) (count_over_time({app="lf"} | logfmt | label_format host="{{.level}}" [5m]))',
  'sum by (host, level) (count_over_time({app="lf"} | logfmt | label_format host=level [5m]))',
  // renames: dst takes src's value where src is there, src is deleted (a stream label too); templates after a rename
  // in the same stage read the labels as the rename left them
  'sum by (code) (count_over_time({app="js"} | json | label_format code=status [5m]))',
  'sum by (code, status) (count_over_time({app="lf"} | logfmt | label_format code=status [5m]))',
  'sum by (level) (count_over_time({app="lf"} | logfmt | label_format level=status [5m]))',
  'sum by (h, host) (count_over_time({app="lf"} | logfmt | label_format h=host [5m]))',
  'sum by (a, b) (count_over_time({app="lf"} | logfmt | label_format a=status, b="{{.status}}/{{.a}}" [5m]))',
  'sum by (a, b) (count_over_time({app="lf"} | logfmt | label_format b="{{.status}}/{{.a}}", a=status [5m]))',
  'sum by (x) (count_over_time({app="lf"} | logfmt | label_format x=status | label_format x=level [5m]))',
  'sum by (s) (count_over_time({app="lf"} | logfmt | label_format s=status | s >= 500 [5m]))',
  'sum by (level, e) (count_over_time({app="lf"} | logfmt | label_format e="{{.nothing}}" | label_format level=e [5m]))',
  'count_over_time({app="ng"} | pattern "<ip> <_>" | label_format addr=ip [5m])',
  'sum by (ip, e) (count_over_time({app="ng"} | pattern "<ip> <_>" | label_format e="{{.nothing}}" | label_format ip=e [5m]))',
  // a label nothing reads: its template binds nothing (a statement must use every parameter it binds)
  'sum by (host) (count_over_time({app="lf"} | logfmt | label_format unused="{{.level}}-{{.host}}" [5m]))',
  'sum by (host) (bytes_rate({app="lf"} | logfmt | label_format status="{{.level}}" [5m]))',
  'sum by (m) (count_over_time({app="lf"} | logfmt | label_format m="s{{.status}}" | label_format m="{{.m}}{{.level}}" [5m]))',
  'sum by (m) (count_over_time({app="js"} | json | label_format m="{{.status}}-{{.host}}" | m != "-a" [5m]))',
  'sum by (status) (count_over_time({app="lf"} | logfmt [5m]))',
  'sum by (status) (count_over_time({app="lf"} | logfmt | status >= 500 [5m]))',
  'sum(count_over_time({app="lf"} | logfmt | stat_us > 1 [5m]))',
  'sum by (latency_ms) (count_over_time({app="lf"} | logfmt [5m]))',
  'sum by (_5xx) (count_over_time({app="lf"} | logfmt [5m]))',
  'sum by (detected_level, status) (count_over_time({app="lf"} | logfmt | status >= 500 [5m]))',
  'sum by (host, status) (count_over_time({app="js"} | json | status >= 500 [5m]))',
  'sum by (level, status) (rate({app="lf"} | logfmt | level=~"in.*" or status="500" [5m]))',
  'sum by (status) (bytes_over_time({app="lf"} | logfmt | __error__="" [5m]))',
  'sum by (status) (count_over_time({app="lf"} |= "status" | logfmt | level!="debug" [5m]))',
  // label regexes Loki turns into literal tests (`nf.*` is a substring test: `info` passes) and real regexes
  'sum by (level) (count_over_time({app="lf"} | logfmt | level=~"nf.*" [5m]))',
  'sum by (level) (count_over_time({app="lf"} | logfmt | level!~"warn|debug" or status=~"50[0-9]" [5m]))',
  'sum by (status) (count_over_time({app="js"} | json [5m]))',
  'sum by (level) (count_over_time({app="mx"} | logfmt | dur > 10ms [5m]))',
  'sum by (level) (count_over_time({app="mx"} | logfmt | dur <= 250us or dur >= 1m | __error__="" [5m]))',
  'sum(count_over_time({app="mx"} | logfmt | dur == 1500ms [5m]))',
  'sum(count_over_time({app="js"} | json | latency_ms > 1 [5m]))',
  'sum(count_over_time({app="js"} | json | __error__="" [5m]))',
  'sum(count_over_time({app="js"} | json [5m]))',
  'sum by (latency_ms) (count_over_time({app="js"} | json [5m]))',
  'sum by (latency_ms) (count_over_time({app="js"} | json | __error__="" [5m]))',
  'sum by (status, level) (count_over_time({app="js"} | json | status != "" [5m]))',
  'sum by (status) (count_over_time({app="js"} | json | __error__="" [5m]))',
  'sum by (path) (count_over_time({app="ng"} | pattern "<_> \\"<method> <path> <_>\\" <status> <_>" [5m]))',
  'sum by (method, status) (count_over_time({app="ng"} | pattern "<ip> - - <_> \\"<method> <_>\\" <status> <_>" | status >= 400 [5m]))',
  'sum by (code) (bytes_rate({app="ng"} | regexp "\\" (?P<code>[0-9]{3}) " [5m]))',
  'sum by (status) (count_over_time({app="ng"} | regexp "(?P<status>[0-9]+)$" | logfmt [5m]))',
  'sum by (r, c) (count_over_time({app="jp"} | json r="user.region", c="status" | __error__="" [5m]))',
  'sum by (t) (count_over_time({app="jp"} | json t="tags[0]", u="user" | __error__="" [5m]))',
  'sum by (u) (count_over_time({app="jp"} | json u="user" | __error__="" [5m]))',
  'sum by (k) (count_over_time({app="jp"} | json k="[\\"a.b\\"].c" | __error__="" [5m]))',
  'sum(count_over_time({app="jp"} | json c="status" [5m]))',
  // drop: a label deleted outright or when its value matches, stream labels too (later reads see it absent)
  'sum by (level) (count_over_time({app="js"} | json | drop status | __error__="" [5m]))',
  'sum by (status) (count_over_time({app="js"} | json | drop status="500" | __error__="" [5m]))',
  'sum by (host, status) (count_over_time({app="lf"} | logfmt | drop host | status >= 500 [5m]))',
  'sum by (status, host) (count_over_time({app="lf"} | logfmt | drop status!="200", host="b" [5m]))',
  'sum by (status) (count_over_time({app="lf"} | logfmt | drop level | level="" [5m]))',
  // keep: every label it does not name goes, stream labels too; a named one stays when a matcher matches
  'sum by (level, status, host) (count_over_time({app="js"} | json | keep level, status | __error__="" [5m]))',
  'sum by (status, host) (count_over_time({app="lf"} | logfmt | keep status="500", host, status="503" [5m]))',
  'sum by (status, level) (count_over_time({app="lf"} | logfmt | keep status!="200", level | status >= 500 [5m]))',
  'sum by (app) (count_over_time({app="lf"} | logfmt | keep host | app="" [5m]))',
  // selectors over JSON and plain-text streams alike: non-JSON lines are dropped by `__error__=""` in SQL; `level` is
  // a stream label of some selected streams only (theirs wins, the parser's goes to level_extracted)
  'sum by (status) (count_over_time({host="a"} | json | __error__="" [5m]))',
  'sum by (level) (count_over_time({host=~"a|l"} | json | __error__="" [5m]))',
  'sum by (level, status) (count_over_time({host=~"a|l"} | json | status >= 200 | __error__="" [5m]))',
  'sum by (c) (count_over_time({host="a"} | json c="status" | __error__="" [5m]))',
  'sum by (status) (count_over_time({host="a"} | json | drop __error__ | __error__="" [5m]))',
  'sum(count_over_time({host="a"} | json | __error__="" [5m]))',
  'sum by (level) (count_over_time({host=~"a|l"} | logfmt | __error__="" [5m]))',
  'sum(count_over_time({app="jp"} | json c="status" | c >= 500 | __error__="" [5m]))',
  'sum by (host) (count_over_time({app="jp"} | json host="user.region" | __error__="" [5m]))',
  'sum by (c) (count_over_time({app="jp"} | json c="status" | __error__="" [5m]))',
  'sum by (lat) (count_over_time({app="jp"} | json lat="latency_ms" | __error__="" [5m]))',
  'sum by (r) (count_over_time({app="jp"} | json lat="latency_ms", r="user.region" | lat > 100 | __error__="" [5m]))',
  'sum by (level) (count_over_time({app="jp"} | json level="user.region" | level="eu" | __error__="" [5m]))',
];

const DURS = [
  '12ms',
  '1.5s',
  '250us',
  '0',
  '3m',
  '1h2m',
  '.5s',
  '7.25ms',
  '999ns',
  '2µs',
  '1.0000001ms',
  '4h',
  'x',
  '0.2s',
];

// durations SQL reads exactly: one unit, no more fraction digits than the unit has nanoseconds
const CLEAN_DURS: ((i: number) => string)[] = [
  (i) => `${(i * 37) % 1000}ms`,
  (i) => `${i % 7}.${i % 10}s`,
  (i) => `${i * 13}us`,
  () => '0',
  (i) => `${i % 5}.123456789s`,
  (i) => `${(i * 7) % 90}m`,
  (i) => `${i % 3}.5h`,
  (i) => `${i * 1001}ns`,
  (i) => `${i}.25µs`,
];

// byte sizes SQL reads exactly, and ones it leaves to TypeScript (fractions, commas, unknown units, past 2⁶⁴)
const CLEAN_SIZES: ((i: number) => string)[] = [
  (i) => `${i * 7}`,
  (i) => `${i % 50}KB`,
  (i) => `${i % 9}KiB`,
  (i) => `"${i % 4} MB"`,
  (i) => `${i}b`,
  (i) => `${i % 3}GiB`,
  () => '0',
  (i) => `${i % 5}mi`,
  (i) => `${(i * 12345) % 10}Mib`,
];
const SIZES = ['1.5KB', '1,024KB', '10QB', '999999999999999EiB', '12', '', 'x', '3 kib', '7TB'];

// stages SQL does not take (Go's case folding in a label regex Loki turns into a literal test): TypeScript answers
const TS_QUERIES = [
  // label_format SQL does not take: onto a stream label, before a parser, with a rename or a function
  'sum by (m) (count_over_time({app="lf"} | label_format m="{{.host}}" | logfmt [5m]))',
  'sum by (host, level) (count_over_time({app="lf"} | label_format host="h-{{.host}}" | logfmt [5m]))',
  'sum by (m) (count_over_time({app="lf"} | logfmt | label_format m="{{.status | ToUpper}}" [5m]))',
  'sum by (level) (count_over_time({app="lf"} | logfmt | level=~".+" | status=~"(?i)ABC" [5m]))',
  'sum by (status) (count_over_time({app="lf"} | logfmt | drop status=~"5.." [5m]))',
  'sum by (level) (count_over_time({app="lf"} | logfmt | drop host | json [5m]))',
  // pipelines long enough to nest SQL past an engine's depth limit; a template of many fields (one concat call)
  `sum by (host) (count_over_time({app="co"}${' | decolorize'.repeat(150)} |~ "^ERROR" [5m]))`,
  `sum by (a) (count_over_time({app="lf"} | logfmt${' | label_format a="x{{.a}}"'.repeat(120)} [5m]))`,
  `sum by (host) (count_over_time({app="lf"} | logfmt | line_format "${'{{.level}}'.repeat(1500)}" |= "infoinfo" [5m]))`,
  // every label counted, but the line names them, or a capture meets a stream label
  'count_over_time({app="lf"} | logfmt [5m])',
  'count_over_time({app="lf"} | regexp "(?P<host>h)" [5m])',
  'sum by (__error_details__) (count_over_time({app="js"} | json [5m]))',
  'sum by (level) (count_over_time({app=~"js|lf"} | json | __error__ != "" [5m]))',
  // a parser after a line rewrite; line filters the database cannot run (a pattern filter, ip())
  'sum by (status) (count_over_time({app="co"} | decolorize | logfmt [5m]))',
  'sum by (level) (count_over_time({app="lf"} | logfmt |> "<_>status=50<_>" [5m]))',
  'sum by (level) (count_over_time({app="lf"} | logfmt != ip("10.0.0.1") [5m]))',
];

// unwrapped aggregations over SQL pipelines: pushed when every row is sure, else answered whole in TypeScript
const UNWRAP_QUERIES = [
  'quantile_over_time(0.5, {app="lf"} | logfmt | status >= 500 | unwrap status [5m]) by (host)',
  'sum by (host) (sum_over_time({app="lf"} | logfmt | unwrap status [5m]))',
  'max_over_time({app="ng"} | pattern "<_> \\"<method> <path> <_>\\" <status> <size> <_>" | status > 0 | unwrap size [5m]) by (app)',
  'avg_over_time({app="js"} | json | status >= 200 | unwrap latency_ms [5m]) by (host)',
  'quantile_over_time(0.5, {app="js"} | json | unwrap latency_ms [5m]) by (host)',
  'max_over_time({app="js", host="a"} | json | unwrap latency_ms [5m]) by (app)',
  'max_over_time({app="mx"} | logfmt | unwrap latency [2m]) by (host)',
  'sum by (r) (sum_over_time({app="jp"} | json r="user.region", lat="latency_ms" | __error__="" | unwrap lat [5m]))',
  // unwrap duration(): exact Go durations in SQL (clean lines: whole in the database), others through TypeScript
  'avg_over_time({app="md"} | logfmt | unwrap duration(dur) [2m]) by (host)',
  'sum by (host) (sum_over_time({app="md"} | logfmt | unwrap duration(dur) [2m]))',
  'max_over_time({app="md"} | logfmt | unwrap duration_seconds(dur) | __error__="" [2m]) by (host)',
  'quantile_over_time(0.9, {app="md"} | logfmt | level="info" | unwrap duration(dur) [2m]) by (host)',
  'stddev_over_time({app="md"} | logfmt | unwrap duration(dur) [90s]) by (host)',
  'avg_over_time({app="mx"} | logfmt | unwrap duration(dur) [2m]) by (host)',
  'sum by (host) (rate({app="mx"} | logfmt | unwrap duration(dur) | __error__="" [2m]))',
  'avg_over_time({app="js"} | json | unwrap latency_ms | __error__="" [5m]) by (host)',
  // mostly clean lines with a few SQL cannot tokenize: sums, means, extremes merge SQL's partial answers with the
  // TypeScript pipeline's over those lines
  'sum by (host) (sum_over_time({app="hy"} | logfmt | unwrap n [2m]))',
  'avg_over_time({app="hy"} | logfmt | unwrap n [2m]) by (host)',
  'max_over_time({app="hy"} | logfmt | unwrap duration(d) [90s]) by (host)',
  'min_over_time({app="hy"} | logfmt | level="info" | unwrap n [2m]) by (app)',
  'sum by (app) (rate({app="hy"} | logfmt | unwrap n | __error__="" [2m]))',
  // unwrap bytes(): go-humanize sizes SQL reads exactly (digits, a unit in any case), others through TypeScript
  'sum by (host) (sum_over_time({app="md"} | logfmt | unwrap bytes(sz) [2m]))',
  'max_over_time({app="md"} | logfmt | unwrap bytes(sz) [90s]) by (host)',
  'avg_over_time({app="hy"} | logfmt | unwrap bytes(sz) [2m]) by (host)',
  // no line SQL cannot tokenize holds `sz`: such lines have no sample (Loki drops a line without the label), so
  // even functions whose partial answers do not merge run whole in the database
  'quantile_over_time(0.9, {app="hy"} | logfmt | unwrap bytes(sz) [2m]) by (host)',
  'stddev_over_time({app="hy"} | logfmt | unwrap bytes(sz) [90s]) by (host)',
  // …while `d` is in them: TypeScript reads those lines, and computes the quantile over every value
  'quantile_over_time(0.5, {app="hy"} | logfmt | unwrap duration(d) [2m]) by (host)',
  'stddev_over_time({app="hy"} | logfmt | unwrap duration(d) [2m]) by (level)',
  'stdvar_over_time({app="hy"} | logfmt | level="info" | unwrap n [90s]) by (host)',
  // grouped by labels the parsers extract: SQL groups rows by the pipeline's values for them (a stream label where
  // the stream has one: app js's host l carries a `level` stream label, its lines a `level` key)
  'avg_over_time({app="md"} | logfmt | unwrap duration(dur) [2m]) by (level)',
  'quantile_over_time(0.9, {app="md"} | logfmt | unwrap bytes(sz) [2m]) by (level, host)',
  'stddev_over_time({app="md"} | logfmt | level="info" | unwrap duration(dur) [90s]) by (msg)',
  'sum by (level) (sum_over_time({app="hy"} | logfmt | unwrap n [2m]))',
  'max_over_time({app="hy"} | logfmt | unwrap duration(d) [90s]) by (level)',
  'avg_over_time({app="js"} | json | unwrap latency_ms [5m]) by (level)',
  'quantile_over_time(0.5, {app="lf"} | logfmt | unwrap status [5m]) by (level)',
  'sum by (status) (sum_over_time({app="lf"} | logfmt | unwrap status [5m]))',
  'min_over_time({app="ng"} | pattern "<_> \\"<method> <path> <_>\\" <status> <size> <_>" | unwrap size [5m]) by (method, status)',
  'sum by (r) (rate({app="jp"} | json r="user.region", lat="latency_ms" | unwrap lat [5m]))',
  'sum by (m) (sum_over_time({app="md"} | logfmt | label_format m="{{.level}}" | unwrap duration(dur) [2m]))',
  'avg_over_time({app="md"} | logfmt --strict | unwrap duration(dur) | __error__="" [2m]) by (level)',
  'sum by (host) (sum_over_time({app="hy"} | logfmt --strict | __error__="" | unwrap n [2m]))',
  'sum by (host) (sum_over_time({app="mx"} | logfmt | unwrap bytes(sz) | __error__="" [2m]))',
  'sum by (host) (rate({app="mx"} | logfmt | level="info" | unwrap latency [2m]))',
  // first/last: the value at the least or greatest timestamp; samples sharing one (the lf streams' lines share
  // timestamps) and unsure lines send the query to TypeScript
  'last_over_time({app="md"} | logfmt | unwrap duration(dur) [2m]) by (host)',
  'first_over_time({app="md"} | logfmt | level="info" | unwrap bytes(sz) [2m]) by (host)',
  'last_over_time({app="js"} | json | unwrap latency_ms [5m]) by (host)',
  'first_over_time({app="jp"} | json | unwrap status [5m]) by (app)',
  'last_over_time({app="lf"} | logfmt | status=~"5.." | unwrap status [5m]) by (app)',
  'max by (host) (last_over_time({app="md"} | logfmt | unwrap duration(dur) [1m]) by (host, level))',
  // an unwrapped label no stage sets (a NULL on every row; ClickHouse evaluates every CASE branch, casts included)
  'min_over_time({app="lf"} | regexp "level=(?P<lvl>\\\\w+)" | unwrap duration(took) [5m]) by (msg) or vector(1)',
  // no grouping: per every label where the query fixes the set
  'avg_over_time({app="ng"} | pattern "<_> \\"<method> <path> <_>\\" <status> <size> <_>" | unwrap size [5m])',
  'sum by (method) (avg_over_time({app="ng"} | pattern "<_> \\"<method> <path> <_>\\" <status> <size> <_>" | unwrap size [5m]))',
  'quantile_over_time(0.5, {app="jp"} | json lat="latency_ms", region="user.region" | unwrap lat [5m])',
  'max_over_time({app="mx"} | regexp "latency=(?P<lat>[0-9.]+) dur=(?P<d>\\\\S+)" | unwrap lat [2m])',
  'avg by (host) (avg_over_time({app="md"} | regexp "level=(?P<level>\\\\w+) dur=(?P<d>\\\\S+)" | unwrap duration(d) [2m]))',
  'stddev_over_time({app="md"} | regexp "level=(?P<level>\\\\w+) dur=(?P<d>\\\\S+)" | unwrap duration(d) [2m])',
];

const METADATA: (Record<string, string> | undefined)[] = [
  { detected_level: 'info' },
  { status: '599' },
  undefined,
  { level: 'meta', detected_level: 'warn' },
  { host: 'shadow' },
];
function withMetadata(es: { ts: bigint; line: string }[]) {
  return es.map((e, i) => {
    const metadata = METADATA[i % METADATA.length];
    return metadata ? { ...e, metadata } : e;
  });
}

describe.each(engines)('parsers in SQL equal the TypeScript pipeline on $engine.name', ({ engine: te, skip }) => {
  let engine: Engine;
  beforeAll(async () => {
    if (skip) return;
    engine = await te.open();
    const entries = (lines: string[]) =>
      Array.from({ length: 240 }, (_, i) => ({
        ts: START + BigInt(i) * 7_000_000_000n,
        line: lines[i % lines.length],
      }));
    await engine.push([
      { labels: { app: 'lf', host: 'a' }, entries: entries(LOGFMT) },
      { labels: { app: 'lf', host: 'b' }, entries: entries(LOGFMT.slice(3)) },
      { labels: { app: 'js', host: 'a' }, entries: entries(JSON_LINES) },
      // structured metadata: detected_level alone changes nothing SQL reads; status and level shadow parsed labels
      { labels: { app: 'lf', host: 'm' }, entries: withMetadata(entries(LOGFMT)) },
      { labels: { app: 'js', host: 'm' }, entries: withMetadata(entries(JSON_LINES)) },
      { labels: { app: 'ng', host: 'a' }, entries: entries(NGINX) },
      { labels: { app: 'co', host: 'a' }, entries: entries(COLOURED) },
      { labels: { app: 'co', host: 'm' }, entries: withMetadata(entries(COLOURED)) },
      { labels: { app: 'jp', host: 'a' }, entries: entries(JSON_PARAM_LINES) },
      { labels: { app: 'js', host: 'l', level: 'stream' }, entries: entries(JSON_LINES) },
      { labels: { app: 'jp', host: 'm' }, entries: withMetadata(entries(JSON_PARAM_LINES)) },
      ...['a', 'b'].map((host, h) => ({
        labels: { app: 'hy', host },
        entries: Array.from({ length: 260 }, (_, i) => ({
          ts: START + BigInt(i) * 6_000_000_000n + BigInt(h),
          // every 9th line starts with a no-break space: Loki reads its pairs, SQL leaves the line unsure (the
          // TypeScript part of the merged answer); every 13th opens a quote it never closes (no n, no sample)
          line:
            i % 9 === 4
              ? `\u00a0n=${i * 3} d=${i % 50}ms level=info`
              : i % 13 === 6
                ? `level=info broken="open n=${i * 3} d=${i % 50}ms`
                : `level=${i % 4 ? 'info' : 'warn'} n=${(i * 17) % 101}.${i % 7} d=${(i * 13) % 997}ms sz=${(i * 31) % 900}KiB msg="x"`,
        })),
      })),
      {
        labels: { app: 'md', host: 'a' },
        entries: Array.from({ length: 300 }, (_, i) => ({
          ts: START + BigInt(i) * 5_000_000_000n,
          line: `level=${i % 3 ? 'info' : 'warn'} dur=${CLEAN_DURS[i % CLEAN_DURS.length]!(i)} sz=${CLEAN_SIZES[i % CLEAN_SIZES.length]!(i)} msg="req ${i}"`,
        })),
      },
      {
        labels: { app: 'md', host: 'b' },
        entries: Array.from({ length: 200 }, (_, i) => ({
          ts: START + BigInt(i) * 7_000_000_000n,
          line: `level=info dur=${CLEAN_DURS[(i * 7) % CLEAN_DURS.length]!(i + 3)} sz=${CLEAN_SIZES[i % CLEAN_SIZES.length]!(i + 1)}`,
        })),
      },
      {
        labels: { app: 'mx', host: 'a' },
        entries: Array.from({ length: 300 }, (_, i) => ({
          ts: START + BigInt(i) * 5_000_000_000n,
          line: `level=${i % 3 ? 'info' : 'warn'} latency=${(i * 7) % 97}.${i % 10} dur=${DURS[i % DURS.length]} sz=${SIZES[i % SIZES.length]} msg="req ${i}"`,
        })),
      },
    ]);
  });
  afterAll(async () => engine?.close());

  const run = async (query: string, pushdown: boolean) => {
    const ctx = execContext(engine, query, pushdown);
    const grid = stepGrid(START, END, MIN, false);
    const value = await runMetricQuery(ctx, parse(query) as MetricExpr, grid);
    return { value, stats: ctx.stats };
  };

  for (const query of [...QUERIES, ...TS_QUERIES, ...UNWRAP_QUERIES]) {
    it.skipIf(!!skip)(query, async () => {
      // a pipeline error (a line SQL left to TypeScript) must be the same error on both paths
      const [sql, ts] = await Promise.all([run(query, true), run(query, false)].map((p) => p.catch((e: Error) => e)));
      if (sql instanceof Error || ts instanceof Error) {
        expect(String(sql)).toEqual(String(ts));
        return;
      }
      if (engine.dialect.parsers && QUERIES.includes(query)) {
        // the database aggregated (no row scan for TypeScript; a few unsure lines may still take TypeScript)
        expect(sql.stats.sql.filter((s) => s.includes('ORDER BY'))).toEqual([]);
      }
      const hy = engine.dialect.parsers && query.includes('app="hy"');
      if (hy && !query.includes('(sz)')) {
        // the database aggregated what it could tokenize, the rest merged from TypeScript (quantiles and deviations:
        // computed in TypeScript over the values SQL read and those lines'); no scan of every row
        expect(sql.stats.sql.filter((s) => s.includes('ORDER BY'))).toEqual([]);
        expect(sql.stats.tsStages.join()).toMatch(/lines SQL could not parse exactly as Loki ran in TypeScript/);
      }
      if (hy && query.includes('(sz)')) {
        // the lines SQL cannot tokenize have no `sz`: no sample, known in SQL (a word test), nothing for TypeScript
        expect(sql.stats.sql.filter((s) => s.includes('ORDER BY'))).toEqual([]);
        expect(sql.stats.tsStages).toEqual([]);
      }
      if (
        engine.dialect.parsers &&
        (query.includes('app="md"') || (query.includes('app="mx"') && !query.includes('(dur)')))
      ) {
        // clean lines: the unwrapped aggregation ran whole in the database
        expect(sql.stats.sql.filter((s) => s.includes('ORDER BY'))).toEqual([]);
      }
      expect(expectSameSeries(sql.value, ts.value, 9)).toBeGreaterThan(0);
    });
  }
});
