// Executes a LogQL log pipeline line by line with Loki's semantics (pkg/logql/log). Compile once, run per line:
// every regex, template, path and name is prepared at compile time, and one LabelsBuilder is reused for all lines.
// A compiled Pipeline is therefore not re-entrant (like Loki's StreamPipeline): use one per concurrent consumer.
// The returned labels object must be treated as read-only (for unchanged lines it is the input's stream labels).
import type { Labels } from '../../engine/types';
import type {
  LabelFilterExpr,
  LabelFilterStage,
  LabelFormatStage,
  LabelSelection,
  LineFilter,
  MatchOp,
  Stage,
  Unwrap,
} from '../../logql/ast';
import { compileRE2, translateRE2 } from '../re2';
import { compileTemplate } from '../template';
import { ERROR_DETAILS_LABEL, ERROR_LABEL, joinSanitized, LabelsBuilder, sanitizeLabelKey } from './builder';
import {
  durationNanosFast,
  durationSeconds,
  durationSecondsOf,
  parseGoDuration,
  parseGoDurationExact,
  parseGoFloat,
  parseHumanBytes,
  type Parsed,
} from './convert';
import { compileIPMatcher, ipInText } from './ip';
import { compileLabelRegexTest, labelRegexTest } from './labelRegex';
import { allRequiredExtracted, noLabels, shouldExtract, shouldExtractPrefix, type ParserHints } from './hints';
import {
  JType,
  findPath,
  objectEach,
  parseJsonPath,
  STOP,
  unescape,
  unescapeJSONString,
  type JValue,
  type PathPart,
} from './json';
import { LogfmtDecoder } from './logfmt';
import { compilePattern, compilePatternFilter } from './pattern';

export { compileRE2 } from '../re2';

export interface PipelineInput {
  ts: bigint;
  line: string;
  stream: Labels;
  metadata?: Labels;
}
export interface PipelineOutput {
  line: string;
  /** stream labels + structured metadata + extracted labels, incl. __error__/__error_details__ when set */
  labels: Labels;
}
export type Pipeline = (input: PipelineInput) => PipelineOutput | null;

export const ERR_JSON = 'JSONParserErr';
export const ERR_LOGFMT = 'LogfmtParserErr';
export const ERR_SAMPLE_EXTRACTION = 'SampleExtractionErr';
export const ERR_LABEL_FILTER = 'LabelFilterErr';
export const ERR_TEMPLATE_FORMAT = 'TemplateFormatErr';

/** a compiled stage: returns the (possibly new) line, or null to drop the line */
type StageFn = (b: LabelsBuilder, line: string, ts: bigint) => string | null;

// ---------------------------------------------------------------- line filters

function compileLineFilterValue(op: LineFilter['op'], v: LineFilter['values'][number]): (line: string) => boolean {
  if (v.kind === 'ip') {
    if (op !== '|=' && op !== '!=') throw new Error('ip: invalid operation');
    const m = compileIPMatcher(v.value);
    return (line) => ipInText(m, line);
  }
  switch (op) {
    case '|=':
    case '!=': {
      const s = v.value;
      if (s === '') return () => true;
      return (line) => line.includes(s);
    }
    case '|~':
    case '!~': {
      const re = compileRE2(v.value, { anchored: false }).regexp;
      return (line) => re.test(line);
    }
    case '|>':
    case '!>': {
      const p = compilePatternFilter(v.value);
      return (line) => p.test(line);
    }
  }
}

/** `|= "a" or "b"` keeps a line matching any alternative; `!= "a" or "b"` drops a line matching any of them */
export function compileLineFilter(f: LineFilter): (line: string) => boolean {
  const tests = f.values.map((v) => compileLineFilterValue(f.op, v));
  const negative = f.op === '!=' || f.op === '!~' || f.op === '!>';
  if (tests.length === 1) {
    const t = tests[0];
    return negative ? (line) => !t(line) : t;
  }
  const any = (line: string): boolean => {
    for (const t of tests) if (t(line)) return true;
    return false;
  };
  return negative ? (line) => !any(line) : any;
}

// ---------------------------------------------------------------- label matchers / filters

export function compileMatcher(op: MatchOp, value: string): (v: string) => boolean {
  switch (op) {
    case '=':
      return (v) => v === value;
    case '!=':
      return (v) => v !== value;
    case '=~': {
      const re = compileRE2(value, { anchored: true }).regexp;
      return (v) => re.test(v);
    }
    case '!~': {
      const re = compileRE2(value, { anchored: true }).regexp;
      return (v) => !re.test(v);
    }
  }
}

/** A string label filter's test as Loki 3.7.6 runs it: a regex may be simplified to literal tests (labelRegex.ts). */
export function compileLabelFilterMatcher(op: MatchOp, value: string): (v: string) => boolean {
  if (op === '=~' || op === '!~') {
    const t = labelRegexTest(value);
    if (t) {
      const f = compileLabelRegexTest(t);
      return op === '=~' ? f : (v) => !f(v);
    }
  }
  return compileMatcher(op, value);
}

function compare<T extends number | bigint>(op: string, a: T, b: T): boolean {
  switch (op) {
    case '=':
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
  return false;
}

type LabelPredicate = (b: LabelsBuilder) => boolean;

/**
 * A numeric label filter: the label parsed as `parse` does, compared with `want`. A missing label fails; one that does
 * not parse passes, marked with a label filter error (the first error stands).
 */
function compareParsed<T extends number | bigint>(
  name: string,
  op: string,
  parse: (v: string) => Parsed<T>,
  want: T,
): LabelPredicate {
  return (b) => {
    const v = b.get(name);
    if (v === undefined) return false;
    const p = parse(v);
    if (!p.ok) {
      if (b.err === '') b.setErr(ERR_LABEL_FILTER, p.error);
      return true;
    }
    return compare(op, p.value, want);
  };
}

function compileLabelFilterExpr(e: LabelFilterExpr): LabelPredicate {
  switch (e.kind) {
    case 'and': {
      const l = compileLabelFilterExpr(e.left);
      const r = compileLabelFilterExpr(e.right);
      // Loki evaluates both sides of `and` (the right side may still set __error__)
      return (b) => {
        const lok = l(b);
        const rok = r(b);
        return lok && rok;
      };
    }
    case 'or': {
      const l = compileLabelFilterExpr(e.left);
      const r = compileLabelFilterExpr(e.right);
      return (b) => l(b) || r(b);
    }
    case 'string': {
      const m = compileLabelFilterMatcher(e.op, e.value);
      const name = e.name;
      return (b) => m(b.value(name));
    }
    case 'number':
      return compareParsed(e.name, e.op, parseGoFloat, e.value);
    case 'duration':
      return compareParsed(e.name, e.op, parseGoDuration, BigInt(Math.round(e.seconds * 1e9)));
    case 'bytes':
      return compareParsed(e.name, e.op, parseHumanBytes, e.bytes);
    case 'ip': {
      const m = compileIPMatcher(e.value);
      const { name, op } = e;
      return (b) => {
        if (b.err !== '') return true; // Loki's IPLabelFilter lets lines with an error through
        const v = b.get(name);
        if (v === undefined) return false;
        const hit = ipInText(m, v);
        return op === '=' ? hit : !hit;
      };
    }
  }
}

// ---------------------------------------------------------------- parsers

/** Loki's addErrLabel: a parser error; when the query asks for `__error__` (hints), it is marked as wanted. */
function parserErr(b: LabelsBuilder, hints: ParserHints | undefined, code: string, details?: string): void {
  b.setErr(code, details);
  if (hints && !hints.noLabels && hints.required.has(ERROR_LABEL)) b.setParsed(PRESERVE_ERROR_LABEL, 'true');
}

export const PRESERVE_ERROR_LABEL = '__preserve_error__';

/** bounded cache for sanitized names (Loki interns up to 1024) */
class NameCache {
  private readonly m = new Map<string, string>();
  get(raw: string, make: (raw: string) => string): string {
    let v = this.m.get(raw);
    if (v === undefined) {
      v = make(raw);
      if (this.m.size < 1024) this.m.set(raw, v);
    }
    return v;
  }
}

function readJsonValue(s: string, v: JValue): string {
  const raw = s.slice(v.start, v.end);
  if (v.type === JType.String) {
    if (raw.indexOf('\\') < 0 && raw.indexOf('\ufffd') < 0) return raw;
    return unescapeJSONString(raw);
  }
  return raw; // numbers as written, true/false
}

function compileJson(hints: ParserHints | undefined): StageFn {
  const topNames = new NameCache();
  const nestedNames = new NameCache();
  const prefix: string[] = [];
  let b: LabelsBuilder;
  let s = '';
  const value = (key: string, v: JValue): string | undefined => {
    switch (v.type) {
      case JType.String:
      case JType.Number:
      case JType.Boolean:
        break;
      case JType.Object: {
        prefix.push(key);
        // with hints, a nested object is only read when it can hold a required label
        const err =
          hints && !shouldExtractPrefix(hints, joinSanitized(prefix)) ? undefined : objectEach(s, v.start, v.end, cb);
        prefix.pop();
        return err;
      }
      default:
        return undefined; // arrays and nulls are skipped
    }
    let name: string;
    if (prefix.length === 0) {
      name = topNames.get(key, sanitizeLabelKey);
      if (name === '') return undefined;
      if (b.baseHas(name) || b.meta.has(name)) name += '_extracted';
    } else {
      prefix.push(key);
      name = nestedNames.get(prefix.join('\u0000'), () => joinSanitized(prefix));
      if (b.baseHas(name) || b.meta.has(name)) {
        const parts = prefix.slice();
        parts[parts.length - 1] = key + '_extracted';
        name = joinSanitized(parts);
      }
      prefix.pop();
    }
    if (b.extracted.has(name) || !shouldExtract(hints, name)) return undefined;
    b.setParsed(name, readJsonValue(s, v));
    return undefined;
  };
  // with hints, parsing stops (without error) once every required label is extracted
  const cb = hints
    ? (key: string, v: JValue): string | undefined =>
        value(key, v) ?? (allRequiredExtracted(hints, b.extracted) ? STOP : undefined)
    : value;
  return (builder, line) => {
    if (noLabels(hints, builder.extracted)) return line;
    b = builder;
    s = line;
    prefix.length = 0;
    const err = objectEach(line, 0, line.length, cb);
    if (err !== undefined && err !== STOP) parserErr(b, hints, ERR_JSON, err);
    return line;
  };
}

function compileJsonParams(params: { label: string; expression: string }[], hints?: ParserHints): StageFn {
  const ids = params.map((p) => p.label);
  const paths: PathPart[][] = params.map((p) => parseJsonPath(p.expression));
  return (b, line) => {
    if (line.length === 0 || noLabels(hints, b.extracted)) return line;
    const c = line.charCodeAt(0);
    if (c !== 34 && c !== 123 && c !== 91) {
      parserErr(b, hints, ERR_JSON);
      return line;
    }
    let matches = 0;
    for (let i = 0; i < ids.length; i++) {
      const v = findPath(line, paths[i]);
      if (v === undefined) continue;
      if (v.error !== undefined) {
        parserErr(b, hints, ERR_JSON, v.error);
        continue;
      }
      const key = b.clashName(ids[i]);
      let value: string;
      if (v.type === JType.Null) value = '';
      else if (v.type === JType.Object) value = line.slice(v.start, v.end);
      else value = unescapeJSONString(line.slice(v.start, v.end));
      b.setParsed(key, value);
      matches++;
    }
    if (matches < ids.length) for (const id of ids) if (b.get(id) === undefined) b.setParsed(id, '');
    return line;
  };
}

function fixInvalidUtf(v: string): string {
  return v.indexOf('\ufffd') >= 0 ? v.replaceAll('\ufffd', ' ') : v;
}

function compileLogfmt(strict: boolean, keepEmpty: boolean, hints?: ParserHints): StageFn {
  const dec = new LogfmtDecoder();
  const names = new NameCache();
  return (b, line) => {
    if (noLabels(hints, b.extracted)) return line;
    dec.reset(line);
    while (!dec.eol()) {
      if (!dec.scanKeyval()) {
        if (strict) break;
        continue;
      }
      let key = names.get(dec.key ?? '', sanitizeLabelKey);
      if (key === '') continue;
      key = b.clashName(key);
      if (b.extracted.has(key) || !shouldExtract(hints, key)) continue;
      const val = fixInvalidUtf(dec.value ?? '');
      if (!keepEmpty && val === '') continue;
      b.setParsed(key, val);
      if (hints && allRequiredExtracted(hints, b.extracted)) break;
    }
    if (strict && dec.err !== null) parserErr(b, hints, ERR_LOGFMT, dec.err);
    return line;
  };
}

/** Loki's LogfmtExpressionParser, quirks included (ids pre-set to "", a later duplicate key overwrites) */
function compileLogfmtParams(
  params: { label: string; expression: string }[],
  strict: boolean,
  hints?: ParserHints,
): StageFn {
  const dec = new LogfmtDecoder();
  const ids = params.map((p) => p.label);
  const origOf = new Map<string, string>();
  for (const p of params) origOf.set(p.label, p.expression.trim());
  const names = new NameCache();
  return (b, line) => {
    if (noLabels(hints, b.extracted)) return line;
    for (const id of ids) if (!b.baseHas(id) && !b.meta.has(id)) b.setParsed(id, '');
    dec.reset(line);
    while (!dec.eol()) {
      if (!dec.scanKeyval()) {
        if (strict) break;
        continue;
      }
      let key = names.get(dec.key ?? '', sanitizeLabelKey);
      if (key === '') continue;
      if (!origOf.has(key) && b.extracted.has(key)) continue;
      let val = dec.value ?? '';
      if (val.indexOf('\ufffd') >= 0) val = '';
      for (const [id, orig] of origOf) {
        if (key === orig) {
          key = id;
          break;
        }
      }
      if (origOf.has(key)) {
        if (b.baseHas(key) || b.meta.has(key)) {
          key += '_extracted';
          if (b.extracted.has(key)) break;
        }
        b.setParsed(key, val);
      }
    }
    if (strict && dec.err !== null) parserErr(b, hints, ERR_LOGFMT, dec.err);
    return line;
  };
}

function compileRegexp(pattern: string): StageFn {
  const m = compileRE2(pattern, { anchored: false });
  const groups: { index: number; name: string }[] = [];
  m.groupNames.forEach((n, i) => {
    if (n !== '') groups.push({ index: i, name: sanitizeLabelKey(n) });
  });
  if (groups.length === 0) throw new Error('at least one named capture must be supplied');
  const re = m.regexp;
  return (b, line) => {
    const r = re.exec(line);
    if (r === null) return line;
    for (const g of groups) {
      const key = b.clashName(g.name);
      if (b.extracted.has(key)) continue;
      b.setParsed(key, r[g.index] ?? '');
    }
    return line;
  };
}

function compilePatternParser(src: string, hints?: ParserHints): StageFn {
  const p = compilePattern(src);
  return (b, line) => {
    if (noLabels(hints, b.extracted)) return line;
    const caps = p.matches(line);
    if (caps === null) return line;
    for (let i = 0; i < caps.length; i++) {
      const key = b.clashName(p.names[i]);
      if (b.extracted.has(key)) continue;
      b.setParsed(key, caps[i]);
    }
    return line;
  };
}

const PACKED_ENTRY_KEY = '_entry';
const ERR_UNEXPECTED_JSON_OBJECT = 'expecting json object(6), but it is not';

function compileUnpack(hints?: ParserHints): StageFn {
  const buf: string[] = [];
  let b: LabelsBuilder;
  let s = '';
  let entry = '';
  let packed = false;
  const cb = (key: string, v: JValue): string | undefined => {
    if (v.type !== JType.String) return undefined;
    const raw = s.slice(v.start, v.end);
    if (key === PACKED_ENTRY_KEY) {
      const u = unescape(raw);
      if (u === null) return 'Encountered an invalid escape sequence in a string';
      entry = u;
      packed = true;
      return undefined;
    }
    const k = b.clashName(key);
    if (b.extracted.has(k)) return undefined;
    buf.push(sanitizeLabelKey(k), unescapeJSONString(raw));
    return undefined;
  };
  return (builder, line) => {
    if (line.length === 0 || noLabels(hints, builder.extracted)) return line;
    b = builder;
    if (line.charCodeAt(0) !== 123) {
      parserErr(b, hints, ERR_JSON, ERR_UNEXPECTED_JSON_OBJECT);
      return line;
    }
    s = line;
    buf.length = 0;
    packed = false;
    entry = line;
    const err = objectEach(line, 0, line.length, cb);
    if (err !== undefined) {
      parserErr(b, hints, ERR_JSON, err);
      return line;
    }
    if (packed) for (let i = 0; i < buf.length; i += 2) b.setParsed(buf[i], buf[i + 1]);
    return entry;
  };
}

// ---------------------------------------------------------------- formatters

/** `{{.name}}` alone: Loki reads the label directly (so `__error__` is not visible there, as in Loki) */
const SIMPLE_KEY = /^\{\{(?:- )?\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*(?: -)?\}\}$/;

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function compileLineFormat(src: string): StageFn {
  const simple = SIMPLE_KEY.exec(src);
  if (simple) {
    const key = simple[1];
    compileTemplate(src); // still validate
    return (b) => b.get(key) ?? '';
  }
  const t = compileTemplate(src);
  return (b, line, ts) => {
    try {
      return t({ labels: b.labels(), line, ts });
    } catch (e) {
      b.setErr(ERR_TEMPLATE_FORMAT, errorMessage(e));
      return line;
    }
  };
}

function compileLabelFormat(stage: LabelFormatStage): StageFn {
  const seen = new Set<string>();
  for (const op of stage.ops) {
    if (op.dst === ERROR_LABEL) throw new Error(`${op.dst} cannot be formatted`);
    if (seen.has(op.dst)) throw new Error(`multiple label name '${op.dst}' not allowed in a single format operation`);
    seen.add(op.dst);
  }
  const ops = stage.ops.map((op) => {
    if (op.kind === 'rename') return { dst: op.dst, src: op.src, tmpl: null };
    let tmpl;
    try {
      tmpl = compileTemplate(op.template);
    } catch (e) {
      throw new Error(`invalid template for label '${op.dst}': ${errorMessage(e)}`);
    }
    return { dst: op.dst, src: '', tmpl };
  });
  return (b, line, ts) => {
    let m: Labels | null = null;
    for (const op of ops) {
      if (op.tmpl === null) {
        const v = b.get(op.src);
        if (v !== undefined) {
          b.setParsed(op.dst, v);
          b.delete(op.src);
        }
        continue;
      }
      // Loki builds the template's label map once per stage (at the first template), so later templates in the
      // same stage do not see labels set by earlier templates
      if (m === null || isEmpty(m)) m = b.labels();
      try {
        b.setParsed(op.dst, op.tmpl({ labels: m, line, ts }));
      } catch (e) {
        b.setErr(ERR_TEMPLATE_FORMAT, errorMessage(e));
      }
    }
    return line;
  };
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/** Loki's decolorize pattern (RE2): ANSI escape sequences */
export const ANSI_PATTERN =
  '[\u001B\u009B][[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\u0007)|(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PRZcf-ntqry=><~]))';

const ANSI_RE = (() => {
  const t = translateRE2(ANSI_PATTERN, { anchored: false });
  return new RegExp(t.source, t.flags + 'g');
})();

function decolorize(_b: LabelsBuilder, line: string): string {
  if (line.indexOf('\u001b') < 0 && line.indexOf('\u009b') < 0) return line;
  ANSI_RE.lastIndex = 0;
  return line.replace(ANSI_RE, '');
}

function compileDrop(sels: LabelSelection[]): StageFn {
  const compiled = sels.map((s) => ({
    name: s.name,
    m: s.matcher ? compileMatcher(s.matcher.op, s.matcher.value) : null,
  }));
  return (b, line) => {
    for (const { name, m } of compiled) {
      if (name === ERROR_LABEL) {
        if (m === null || m(b.err)) b.setErr('');
        continue;
      }
      if (name === ERROR_DETAILS_LABEL) {
        if (m === null || m(b.errDetails)) {
          b.dirty = true;
          b.errDetails = '';
        }
        continue;
      }
      if (m === null) {
        if (b.get(name) !== undefined) b.delete(name);
      } else if (m(b.get(name) ?? '')) {
        b.delete(name);
      }
    }
    return line;
  };
}

function compileKeep(sels: LabelSelection[]): StageFn {
  if (sels.length === 0) return (_b, line) => line;
  const plain = new Set(sels.filter((s) => !s.matcher).map((s) => s.name));
  const matchers = sels
    .filter((s) => s.matcher)
    .map((s) => ({ name: s.name, m: compileMatcher(s.matcher!.op, s.matcher!.value) }));
  return (b, line) => {
    const all = b.labels();
    for (const name in all) {
      if (name === ERROR_LABEL || name === ERROR_DETAILS_LABEL || name === '__preserve_error__') continue;
      if (plain.has(name)) continue;
      let keep = false;
      for (const mm of matchers) {
        if (mm.name === name && mm.m(all[name])) {
          keep = true;
          break;
        }
      }
      if (!keep) b.delete(name);
    }
    return line;
  };
}

// ---------------------------------------------------------------- pipeline

function compileStage(s: Stage, hints: ParserHints | undefined): StageFn {
  switch (s.kind) {
    case 'lineFilter': {
      const f = compileLineFilter(s.filter);
      return (_b, line) => (f(line) ? line : null);
    }
    case 'json':
      return s.params.length === 0 ? compileJson(hints) : compileJsonParams(s.params, hints);
    case 'logfmt':
      return s.params.length === 0
        ? compileLogfmt(s.strict, s.keepEmpty, hints)
        : compileLogfmtParams(s.params, s.strict, hints);
    case 'regexp':
      return compileRegexp(s.pattern);
    case 'pattern':
      return compilePatternParser(s.pattern, hints);
    case 'unpack':
      return compileUnpack(hints);
    case 'labelFilter': {
      const p = compileLabelFilterExpr(s.expr);
      return (b, line) => (p(b) ? line : null);
    }
    case 'lineFormat':
      return compileLineFormat(s.template);
    case 'labelFormat':
      return compileLabelFormat(s);
    case 'decolorize':
      return decolorize;
    case 'drop':
      return compileDrop(s.labels);
    case 'keep':
      return compileKeep(s.labels);
  }
}

/** The pipeline as a function over lines. `hints`: Loki's parser hints for a metric query (see hints.ts). */
export function compilePipeline(stages: Stage[], hints?: ParserHints): Pipeline {
  const run = stageRunner(stages, hints);
  return (input) => {
    const line = run(input);
    return line === null ? null : { line, labels: run.builder.labels() };
  };
}

/** Runs the stages over one line, leaving its labels in `builder`; null when a stage drops the line. */
function stageRunner(
  stages: Stage[],
  hints: ParserHints | undefined,
): ((input: PipelineInput) => string | null) & { builder: LabelsBuilder } {
  const fns = stages.map((s) => compileStage(s, hints));
  const b = new LabelsBuilder();
  const n = fns.length;
  const run = (input: PipelineInput): string | null => {
    b.reset(input.stream, input.metadata);
    let line: string | null = input.line;
    for (let i = 0; i < n; i++) {
      line = fns[i](b, line, input.ts);
      if (line === null) return null;
    }
    return line;
  };
  return Object.assign(run, { builder: b });
}

/** A log query's pipeline output: labels without the structured metadata, which comes apart (LabelsBuilder.categorized) */
export interface LogPipelineOutput {
  line: string;
  labels: Labels;
  metadata?: Labels;
  parsed?: Labels;
}

/** compilePipeline for log queries: the entry's labels by Loki's categories (stream + parsed, metadata, parsed;
 *  the last only `withParsed`: categorize-labels answers alone print it). */
export function compileLogPipeline(
  stages: Stage[],
  withParsed = true,
): (input: PipelineInput) => LogPipelineOutput | null {
  const run = stageRunner(stages, undefined);
  return (input) => {
    const line = run(input);
    if (line === null) return null;
    const c = run.builder.categorized(withParsed);
    return { line, labels: c.labels, metadata: c.metadata, parsed: c.parsed };
  };
}

// ---------------------------------------------------------------- unwrap

/**
 * `| unwrap label` (+ conversion, + post filters) on a pipeline's output, as Loki's labelSampleExtractor:
 * an empty or missing label drops the sample; a conversion failure keeps it (value 0, or ±Inf on float overflow)
 * with __error__=SampleExtractionErr; post filters then run. The unwrapped label is removed from the sample's
 * labels unless an error is set (Loki returns the full label set when __error__ is present) or `keepLabel` (a `by`
 * grouping of the range aggregation, or of a `sum` lending it its grouping: see hints.ts keepsUnwrappedLabel).
 */
export function compileUnwrap(
  unwrap: Unwrap,
  opts: { keepLabel?: boolean } = {},
): (out: PipelineOutput) => { value: number; labels: Labels } | null {
  const label = unwrap.label;
  const conv: (v: string) => { value: number; error?: string } =
    unwrap.conversion === 'bytes'
      ? (v) => {
          const p = parseHumanBytes(v);
          return p.ok ? { value: p.value } : { value: 0, error: p.error };
        }
      : unwrap.conversion === 'duration' || unwrap.conversion === 'duration_seconds'
        ? (v) => {
            const ns = durationNanosFast(v);
            if (ns !== undefined) return { value: durationSecondsOf(ns) };
            const p = parseGoDurationExact(v);
            return p.ok ? { value: durationSeconds(p.value) } : { value: 0, error: p.error };
          }
        : (v) => {
            const p = parseGoFloat(v);
            return p.ok ? { value: p.value } : { value: p.value, error: p.error };
          };
  const filters = unwrap.postFilters.map((f: LabelFilterStage) => compileLabelFilterExpr(f.expr));
  const b = new LabelsBuilder();
  const empty: Labels = {};
  return (out) => {
    const v = out.labels[label];
    if (v === undefined || v === '') return null;
    const c = conv(v);
    if (c.error === undefined && filters.length === 0 && out.labels[ERROR_LABEL] === undefined) {
      if (opts.keepLabel) return { value: c.value, labels: out.labels };
      const labels: Labels = {};
      for (const k in out.labels) if (k !== label) labels[k] = out.labels[k];
      return { value: c.value, labels };
    }
    b.reset(empty, undefined);
    b.dirty = true;
    for (const k in out.labels) {
      if (k === ERROR_LABEL) b.err = out.labels[k];
      else if (k === ERROR_DETAILS_LABEL) b.errDetails = out.labels[k];
      else b.parsed.set(k, out.labels[k]);
    }
    if (c.error !== undefined) b.setErr(ERR_SAMPLE_EXTRACTION, c.error);
    for (const f of filters) if (!f(b)) return null;
    const labels = b.labels();
    if (b.err === '' && !opts.keepLabel) delete labels[label];
    return { value: c.value, labels };
  };
}
