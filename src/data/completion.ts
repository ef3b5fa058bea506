// Context-aware LogQL completion, independent of Monaco: given the text and the cursor offset, decide where the cursor
// is (label name or value inside a selector, after a selector, after a pipe, inside a range, in a grouping, …) and
// produce items from the language provider. The Monaco adapter (components/monaco) only maps these items.

import { getMatchers, formatSelector, getParsers } from './logql';
import type { DetectedField } from './languageProvider';

export type CompletionKind =
  | 'function'
  | 'aggregation'
  | 'label'
  | 'value'
  | 'parser'
  | 'operator'
  | 'duration'
  | 'field'
  | 'keyword'
  | 'snippet';

export interface CompletionItem {
  label: string;
  insertText: string;
  kind: CompletionKind;
  detail?: string;
  documentation?: string;
  /** insertText uses Monaco snippet syntax (${1:…}) */
  snippet?: boolean;
  /** open the suggestion widget again after inserting (e.g. after a label name) */
  retrigger?: boolean;
  sortText?: string;
}

export interface CompletionResult {
  situation: Situation['type'];
  /** offset where the word being completed starts (the range replaced) */
  from: number;
  items: CompletionItem[];
}

export interface CompletionDataProvider {
  labelNames(selector?: string): Promise<string[]>;
  labelValues(name: string, selector?: string): Promise<string[]>;
  detectedFields(query: string): Promise<DetectedField[]>;
}

// One table of what the editor offers (functions, aggregations, parsers, stages), with documentation.
export const RANGE_FUNCTIONS: Array<[string, string]> = [
  ['count_over_time', 'Counts the entries for each log stream within the given range.'],
  ['rate', 'Calculates the number of entries per second.'],
  ['bytes_over_time', 'Counts the amount of bytes used by each log stream for a given range.'],
  ['bytes_rate', 'Calculates the number of bytes per second for each stream.'],
  ['absent_over_time', 'Returns an empty vector if the range vector has any elements, else a 1-element vector.'],
  ['sum_over_time', 'The sum of all values in the specified interval (requires unwrap).'],
  ['avg_over_time', 'The average of all values in the specified interval (requires unwrap).'],
  ['min_over_time', 'The minimum of all values in the specified interval (requires unwrap).'],
  ['max_over_time', 'The maximum of all values in the specified interval (requires unwrap).'],
  ['first_over_time', 'The first value of all points in the specified interval (requires unwrap).'],
  ['last_over_time', 'The last value of all points in the specified interval (requires unwrap).'],
  ['stddev_over_time', 'The population standard deviation of the values (requires unwrap).'],
  ['stdvar_over_time', 'The population standard variance of the values (requires unwrap).'],
  ['rate_counter', 'Per-second rate of a counter, extrapolated like Prometheus (requires unwrap).'],
];

export const AGGREGATIONS: Array<[string, string]> = [
  ['sum', 'Calculate sum over labels'],
  ['avg', 'Calculate the average over labels'],
  ['min', 'Select minimum over labels'],
  ['max', 'Select maximum over labels'],
  ['count', 'Count number of elements in the vector'],
  ['stddev', 'Calculate the population standard deviation over labels'],
  ['stdvar', 'Calculate the population standard variance over labels'],
  ['topk', 'Select largest k elements by sample value'],
  ['bottomk', 'Select smallest k elements by sample value'],
  ['approx_topk', 'Approximate largest k elements'],
  ['sort', 'Sort by sample value, ascending'],
  ['sort_desc', 'Sort by sample value, descending'],
];

export const PIPELINE_STAGES: Array<[string, string, string]> = [
  ['json', 'json', 'Extract all JSON properties as labels'],
  ['logfmt', 'logfmt', 'Extract all logfmt key=value pairs as labels'],
  ['pattern', 'pattern "${1:<_> <field> <_>}"', 'Extract labels with a pattern expression'],
  ['regexp', 'regexp "${1:(?P<name>\\\\w+)}"', 'Extract labels with named capture groups'],
  ['unpack', 'unpack', 'Unpack a line packed by Promtail’s pack stage'],
  ['line_format', 'line_format "${1:{{.label}\\}}"', 'Rewrite the line with a Go template'],
  ['label_format', 'label_format ${1:new}=${2:old}', 'Rename or template labels'],
  ['drop', 'drop ${1:label}', 'Drop labels'],
  ['keep', 'keep ${1:label}', 'Keep only these labels'],
  ['decolorize', 'decolorize', 'Strip ANSI color codes'],
  ['unwrap', 'unwrap ${1:label}', 'Use a label’s value as the sample value (metric queries)'],
];

export const LINE_FILTERS: Array<[string, string]> = [
  ['|=', 'Line contains'],
  ['!=', 'Line does not contain'],
  ['|~', 'Line matches the regex'],
  ['!~', 'Line does not match the regex'],
  ['|>', 'Line matches the pattern'],
  ['!>', 'Line does not match the pattern'],
];

export const DURATIONS = ['$__auto', '$__interval', '$__range', '1m', '5m', '10m', '30m', '1h', '6h', '1d'];

export type Situation =
  | { type: 'EMPTY' }
  | { type: 'LABEL_NAME'; selector: string; prefix: string }
  | { type: 'LABEL_VALUE'; selector: string; label: string; prefix: string; quoted: boolean }
  | { type: 'AFTER_SELECTOR'; logQuery: string }
  | { type: 'PIPE'; logQuery: string; prefix: string }
  | { type: 'FIELDS'; logQuery: string; stage: 'unwrap' | 'drop' | 'keep'; prefix: string }
  | { type: 'RANGE'; prefix: string }
  | { type: 'GROUPING'; logQuery: string; prefix: string }
  | { type: 'AFTER_RANGE' }
  | { type: 'FUNCTIONS'; prefix: string }
  | { type: 'NONE' };

interface Scan {
  /** offsets of unclosed brackets, innermost last */
  open: Array<{ ch: string; at: number }>;
  /** inside a string literal, and which quote */
  inString: string | null;
  stringStart: number;
}

function scan(text: string): Scan {
  const open: Scan['open'] = [];
  let inString: string | null = null;
  let stringStart = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\' && inString === '"') {
        i++;
      } else if (c === inString) {
        inString = null;
      }
      continue;
    }
    if (c === '"' || c === '`') {
      inString = c;
      stringStart = i;
    } else if (c === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) {
        break;
      }
      i = nl;
    } else if (c === '{' || c === '(' || c === '[') {
      open.push({ ch: c, at: i });
    } else if (c === '}' || c === ')' || c === ']') {
      open.pop();
    }
  }
  return { open, inString, stringStart };
}

/** The selector before `end` and the pipeline after it up to `end` (what a sample query should run). */
export function logQueryBefore(text: string, end: number): string {
  const prefix = text.slice(0, end);
  let selStart = -1;
  let inString: string | null = null;
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix[i];
    if (inString) {
      if (c === '\\' && inString === '"') {
        i++;
      } else if (c === inString) {
        inString = null;
      }
    } else if (c === '"' || c === '`') {
      inString = c;
    } else if (c === '{') {
      selStart = i;
    }
  }
  if (selStart < 0) {
    return '';
  }
  let q = prefix.slice(selStart);
  const cut = q.search(/\[|\)/);
  if (cut > 0) {
    q = q.slice(0, cut);
  }
  return q.trim().replace(/\|\s*$/, '').trim();
}

/** Decide what is being typed at `offset`. */
export function getSituation(text: string, offset: number): Situation {
  const before = text.slice(0, offset);
  if (before.trim() === '') {
    return { type: 'EMPTY' };
  }
  const s = scan(before);
  const inner = s.open[s.open.length - 1];

  if (inner?.ch === '{' && !(before[inner.at - 1] === '{' || before[inner.at + 1] === '{')) {
    const content = before.slice(inner.at + 1);
    const selectorBody = content;
    const valueMatch = selectorBody.match(/([A-Za-z_][\w]*)\s*(=~|!~|!=|=)\s*(["`]?)([^"`]*)$/);
    if (valueMatch && (s.inString || valueMatch[3] === '')) {
      const label = valueMatch[1];
      const others = getMatchers(`{${selectorBody.slice(0, selectorBody.length - valueMatch[0].length).replace(/,\s*$/, '')}}`);
      return {
        type: 'LABEL_VALUE',
        label,
        prefix: valueMatch[4],
        quoted: Boolean(s.inString),
        selector: formatSelector(others.filter((m) => m.label !== label)),
      };
    }
    if (s.inString) {
      return { type: 'NONE' };
    }
    const nameMatch = selectorBody.match(/(?:^|,)\s*([A-Za-z_]\w*)?$/);
    if (nameMatch) {
      const prefix = nameMatch[1] ?? '';
      const others = getMatchers(`{${selectorBody.slice(0, selectorBody.length - nameMatch[0].length)}}`);
      return { type: 'LABEL_NAME', prefix, selector: formatSelector(others) };
    }
    return { type: 'NONE' };
  }

  if (s.inString) {
    return { type: 'NONE' };
  }

  if (inner?.ch === '[') {
    return { type: 'RANGE', prefix: before.slice(inner.at + 1).trim() };
  }

  const grouping = before.match(/\b(?:by|without)\s*\(([\w\s,]*)$/);
  if (grouping) {
    const prefix = grouping[1].match(/(\w*)$/)?.[1] ?? '';
    return { type: 'GROUPING', prefix, logQuery: logQueryBefore(text, text.length) };
  }

  const fields = before.match(/\|\s*(unwrap|drop|keep)\s+(?:[\w\s,="]*,\s*)?(\w*)$/);
  if (fields) {
    return {
      type: 'FIELDS',
      stage: fields[1] as 'unwrap' | 'drop' | 'keep',
      prefix: fields[2],
      logQuery: logQueryBefore(before, before.length - fields[0].length),
    };
  }

  const pipe = before.match(/\|\s*(\w*)$/);
  if (pipe && /\}/.test(before)) {
    return { type: 'PIPE', prefix: pipe[1], logQuery: logQueryBefore(before, before.length - pipe[0].length) };
  }

  if (/\]\s*$/.test(before)) {
    return { type: 'AFTER_RANGE' };
  }

  // after a selector, a closed string, or a parser keyword, followed by whitespace: operators
  if (/(\}|["`]|\b(json|logfmt|unpack|decolorize))\s+$/.test(before) && /\}/.test(before)) {
    return { type: 'AFTER_SELECTOR', logQuery: logQueryBefore(before, before.length) };
  }

  const word = before.match(/(^|[\s(,])([A-Za-z_]\w*)$/);
  if (word || /[\s(]$/.test(before)) {
    return { type: 'FUNCTIONS', prefix: word?.[2] ?? '' };
  }
  return { type: 'NONE' };
}

function functionItems(): CompletionItem[] {
  return [
    ...RANGE_FUNCTIONS.map(([name, doc]) => ({
      label: name,
      insertText: `${name}(\${1:{\\}} [\${2:\\$__auto}])`,
      snippet: true,
      kind: 'function' as const,
      detail: `${name}(range-vector)`,
      documentation: doc,
      sortText: `1${name}`,
    })),
    ...AGGREGATIONS.map(([name, doc]) => ({
      label: name,
      insertText: name.endsWith('k') ? `${name}(\${1:10}, \${2})` : `${name}(\${1})`,
      snippet: true,
      kind: 'aggregation' as const,
      detail: `${name}(vector)`,
      documentation: doc,
      sortText: `2${name}`,
    })),
    { label: 'vector', insertText: 'vector(${1:1})', snippet: true, kind: 'function', detail: 'vector(scalar)', sortText: '3vector' },
    {
      label: 'label_replace',
      insertText: 'label_replace(${1}, "${2:dst}", "${3:$1}", "${4:src}", "${5:(.*)}")',
      snippet: true,
      kind: 'function',
      detail: 'label_replace(v, dst, replacement, src, regex)',
      sortText: '3label_replace',
    },
  ];
}

function fieldItems(fields: DetectedField[], exclude: Set<string>, detail: string): CompletionItem[] {
  return fields
    .filter((f) => !exclude.has(f.label))
    .map((f) => ({
      label: f.label,
      insertText: f.label,
      kind: 'field' as const,
      detail: f.type ? `${detail} (${f.type})` : detail,
      sortText: `0${f.label}`,
    }));
}

/** Completion items for the cursor position. */
export async function getCompletions(text: string, offset: number, dp: CompletionDataProvider): Promise<CompletionResult> {
  const situation = getSituation(text, offset);
  const wordStart = (prefix: string) => offset - prefix.length;
  switch (situation.type) {
    case 'EMPTY':
    case 'FUNCTIONS': {
      const prefix = situation.type === 'FUNCTIONS' ? situation.prefix : '';
      const labels = await dp.labelNames().catch(() => []);
      return {
        situation: situation.type,
        from: wordStart(prefix),
        items: [
          { label: '{', insertText: '{${1}}', snippet: true, kind: 'snippet', detail: 'stream selector', retrigger: true, sortText: '0{' },
          ...labels.map((l) => ({
            label: `{${l}=`,
            insertText: `{${l}="\${1}"}`,
            snippet: true,
            kind: 'label' as const,
            detail: 'stream selector on a label',
            retrigger: true,
            sortText: `0${l}`,
          })),
          ...functionItems(),
        ],
      };
    }
    case 'LABEL_NAME': {
      const used = new Set(getMatchers(situation.selector).map((m) => m.label));
      const names = await dp.labelNames(situation.selector === '{}' ? undefined : situation.selector).catch(() => []);
      return {
        situation: situation.type,
        from: wordStart(situation.prefix),
        items: names
          .filter((n) => !used.has(n))
          .map((n) => ({ label: n, insertText: `${n}=`, kind: 'label' as const, detail: 'label', retrigger: true })),
      };
    }
    case 'LABEL_VALUE': {
      const values = await dp
        .labelValues(situation.label, situation.selector === '{}' ? undefined : situation.selector)
        .catch(() => []);
      return {
        situation: situation.type,
        from: wordStart(situation.prefix),
        items: values.map((v) => {
          const escaped = JSON.stringify(v).slice(1, -1);
          return {
            label: v,
            insertText: situation.quoted ? escaped : `"${escaped}"`,
            kind: 'value' as const,
            detail: `value of ${situation.label}`,
          };
        }),
      };
    }
    case 'AFTER_SELECTOR': {
      const hasParser = getParsers(situation.logQuery).length > 0;
      const items: CompletionItem[] = [
        ...LINE_FILTERS.map(([op, doc], i) => ({
          label: `${op} ""`,
          insertText: `${op} "\${1}"`,
          snippet: true,
          kind: 'operator' as const,
          detail: 'line filter',
          documentation: doc,
          sortText: `0${i}`,
        })),
        ...PIPELINE_STAGES.map(([name, insert, doc], i) => ({
          label: `| ${name}`,
          insertText: `| ${insert}`,
          snippet: true,
          kind: 'parser' as const,
          detail: 'pipeline stage',
          documentation: doc,
          sortText: `${hasParser ? 2 : 1}${i}`,
        })),
      ];
      if (hasParser) {
        const fields = await dp.detectedFields(situation.logQuery).catch(() => []);
        items.push(
          ...fields.map((f) => ({
            label: `| ${f.label}`,
            insertText: `| ${f.label}\${1:=}"\${2}"`,
            snippet: true,
            kind: 'field' as const,
            detail: 'label filter on an extracted field',
            sortText: `1${f.label}`,
          })),
        );
      }
      return { situation: situation.type, from: offset, items };
    }
    case 'PIPE': {
      const items: CompletionItem[] = PIPELINE_STAGES.map(([name, insert, doc], i) => ({
        label: name,
        insertText: insert,
        snippet: true,
        kind: 'parser' as const,
        detail: 'pipeline stage',
        documentation: doc,
        sortText: `1${i}`,
      }));
      if (getParsers(situation.logQuery).length > 0) {
        const fields = await dp.detectedFields(situation.logQuery).catch(() => []);
        items.push(...fieldItems(fields, new Set(), 'field (label filter)'));
      }
      return { situation: situation.type, from: wordStart(situation.prefix), items };
    }
    case 'FIELDS': {
      const fields = await dp.detectedFields(situation.logQuery).catch(() => []);
      const items = fieldItems(fields, new Set(), 'extracted field');
      if (situation.stage === 'unwrap') {
        items.push(
          { label: 'duration', insertText: 'duration(${1:label})', snippet: true, kind: 'function', detail: 'convert a duration (1.5s) to seconds' },
          { label: 'bytes', insertText: 'bytes(${1:label})', snippet: true, kind: 'function', detail: 'convert a byte size (5 KiB) to bytes' },
        );
      } else {
        const labels = await dp.labelNames().catch(() => []);
        items.push(...labels.map((l) => ({ label: l, insertText: l, kind: 'label' as const, detail: 'label' })));
      }
      return { situation: situation.type, from: wordStart(situation.prefix), items };
    }
    case 'RANGE':
      return {
        situation: situation.type,
        from: wordStart(situation.prefix),
        items: DURATIONS.map((d, i) => ({ label: d, insertText: d, kind: 'duration' as const, detail: 'range', sortText: `${i}`.padStart(2, '0') })),
      };
    case 'GROUPING': {
      const selector = situation.logQuery.match(/^\{[^}]*\}/)?.[0];
      const [labels, fields] = await Promise.all([
        dp.labelNames(selector).catch(() => []),
        getParsers(situation.logQuery).length ? dp.detectedFields(situation.logQuery).catch(() => []) : Promise.resolve([]),
      ]);
      const set = new Set(labels);
      return {
        situation: situation.type,
        from: wordStart(situation.prefix),
        items: [
          ...labels.map((l) => ({ label: l, insertText: l, kind: 'label' as const, detail: 'label' })),
          ...fieldItems(fields, set, 'extracted field'),
        ],
      };
    }
    case 'AFTER_RANGE':
      return {
        situation: situation.type,
        from: offset,
        items: [{ label: 'offset', insertText: 'offset ${1:1h}', snippet: true, kind: 'keyword', detail: 'shift the range back' }],
      };
    default:
      return { situation: situation.type, from: offset, items: [] };
  }
}
