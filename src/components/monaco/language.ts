// LogQL for Monaco: a Monarch tokenizer (highlighting), language configuration (brackets, comments), a completion
// provider backed by data/completion.ts, and markers for syntax errors.

import type { CompletionDataProvider, CompletionItem, CompletionKind } from '../../data/completion';
import { getCompletions } from '../../data/completion';
import { AGGREGATIONS, PIPELINE_STAGES, RANGE_FUNCTIONS } from '../../data/completion';

export const LANGUAGE_ID = 'logqlsql';

// Minimal structural types for the Monaco API we use (the real instance comes from @grafana/ui's CodeEditor).
type Monaco = any;
type MonacoEditor = any;

export const monarchLanguage = {
  defaultToken: '',
  ignoreCase: false,
  keywords: [
    'by',
    'without',
    'on',
    'ignoring',
    'group_left',
    'group_right',
    'bool',
    'offset',
    'and',
    'or',
    'unless',
    'ip',
  ],
  functions: [
    ...RANGE_FUNCTIONS.map(([n]) => n),
    ...AGGREGATIONS.map(([n]) => n),
    'vector',
    'label_replace',
    'duration',
    'duration_seconds',
    'bytes',
  ],
  parsers: PIPELINE_STAGES.map(([n]) => n),
  operators: [
    '|=',
    '!=',
    '|~',
    '!~',
    '|>',
    '!>',
    '=~',
    '==',
    '>=',
    '<=',
    '>',
    '<',
    '=',
    '+',
    '-',
    '*',
    '/',
    '%',
    '^',
    '|',
  ],
  symbols: /[=><!~?:&|+\-*/^%]+/,
  tokenizer: {
    root: [
      [/#.*$/, 'comment'],
      [/\{(?!\{)/, { token: 'delimiter.curly', next: '@selector' }],
      [/\[/, { token: 'delimiter.square', next: '@range' }],
      [/"/, { token: 'string.quote', next: '@string' }],
      [/`/, { token: 'string.quote', next: '@rawstring' }],
      [/\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w|y)+/, 'number.duration'],
      [/\d+(\.\d+)?(b|kb|mb|gb|tb|kib|mib|gib|tib|B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)/, 'number.bytes'],
      [/\d+(\.\d+)?([eE][-+]?\d+)?/, 'number'],
      [/\$__\w+|\$\{[^}]+\}|\$\w+/, 'variable'],
      [
        /[a-zA-Z_]\w*/,
        {
          cases: {
            '@functions': 'predefined',
            '@parsers': 'keyword',
            '@keywords': 'keyword',
            '@default': 'identifier',
          },
        },
      ],
      [/[()]/, '@brackets'],
      [/@symbols/, { cases: { '@operators': 'operator', '@default': '' } }],
      [/[,]/, 'delimiter'],
      [/\s+/, 'white'],
    ],
    selector: [
      [/\s+/, 'white'],
      [/[a-zA-Z_]\w*/, 'type.identifier'],
      [/=~|!~|!=|=/, 'operator'],
      [/"/, { token: 'string.quote', next: '@string' }],
      [/`/, { token: 'string.quote', next: '@rawstring' }],
      [/,/, 'delimiter'],
      [/\}/, { token: 'delimiter.curly', next: '@pop' }],
    ],
    range: [
      [/\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w|y)+/, 'number.duration'],
      [/\$__\w+|\$\{[^}]+\}|\$\w+/, 'variable'],
      [/\]/, { token: 'delimiter.square', next: '@pop' }],
      [/[^\]]/, ''],
    ],
    string: [
      [/[^\\"]+/, 'string'],
      [/\\./, 'string.escape'],
      [/"/, { token: 'string.quote', next: '@pop' }],
    ],
    rawstring: [
      [/[^`]+/, 'string'],
      [/`/, { token: 'string.quote', next: '@pop' }],
    ],
  },
};

export const languageConfiguration = {
  comments: { lineComment: '#' },
  brackets: [
    ['{', '}'],
    ['[', ']'],
    ['(', ')'],
  ],
  autoClosingPairs: [
    { open: '{', close: '}' },
    { open: '[', close: ']' },
    { open: '(', close: ')' },
    { open: '"', close: '"', notIn: ['string'] },
    { open: '`', close: '`', notIn: ['string'] },
  ],
  surroundingPairs: [
    { open: '{', close: '}' },
    { open: '[', close: ']' },
    { open: '(', close: ')' },
    { open: '"', close: '"' },
  ],
};

export const TRIGGER_CHARACTERS = ['{', ',', '"', '=', '~', '|', ' ', '[', '('];

const registered = new WeakSet<object>();

/** Register the language (once per Monaco instance). */
export function registerLanguage(monaco: Monaco): void {
  if (registered.has(monaco)) {
    return;
  }
  registered.add(monaco);
  monaco.languages.register({ id: LANGUAGE_ID, aliases: ['LogQL (SQL)'] });
  monaco.languages.setMonarchTokensProvider(LANGUAGE_ID, monarchLanguage);
  monaco.languages.setLanguageConfiguration(LANGUAGE_ID, languageConfiguration);
}

function kindOf(monaco: Monaco, kind: CompletionKind): number {
  const K = monaco.languages.CompletionItemKind;
  switch (kind) {
    case 'function':
      return K.Function;
    case 'aggregation':
      return K.Operator;
    case 'label':
      return K.Enum;
    case 'value':
      return K.EnumMember;
    case 'parser':
      return K.Class;
    case 'operator':
      return K.Operator;
    case 'duration':
      return K.Unit;
    case 'field':
      return K.Field;
    case 'keyword':
      return K.Keyword;
    default:
      return K.Snippet;
  }
}

/**
 * Register a completion provider for one editor model (Monaco providers are per language; we answer only for our
 * model so that two editors on a page do not mix their data sources). Returns a disposable.
 */
export function registerCompletion(monaco: Monaco, editor: MonacoEditor, dataProvider: () => CompletionDataProvider) {
  const modelId = editor.getModel()?.id;
  return monaco.languages.registerCompletionItemProvider(LANGUAGE_ID, {
    triggerCharacters: TRIGGER_CHARACTERS,
    provideCompletionItems: async (model: any, position: any) => {
      if (model.id !== modelId) {
        return { suggestions: [] };
      }
      const text = model.getValue();
      const offset = model.getOffsetAt(position);
      const result = await getCompletions(text, offset, dataProvider());
      const start = model.getPositionAt(result.from);
      const range = {
        startLineNumber: start.lineNumber,
        startColumn: start.column,
        endLineNumber: position.lineNumber,
        endColumn: position.column,
      };
      const word = text.slice(result.from, offset);
      return {
        suggestions: result.items.map((item: CompletionItem, i: number) => ({
          label: item.label,
          kind: kindOf(monaco, item.kind),
          insertText: item.insertText,
          insertTextRules: item.snippet ? monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet : undefined,
          detail: item.detail,
          documentation: item.documentation,
          sortText: item.sortText ?? String(i).padStart(4, '0'),
          filterText: word.startsWith('{') || word === '' ? undefined : item.label,
          range,
          command: item.retrigger ? { id: 'editor.action.triggerSuggest', title: '' } : undefined,
        })),
      };
    },
  });
}

export interface Marker {
  from: number;
  to: number;
  message: string;
}

/** Put error markers on the editor's model (an empty list clears them). */
export function setMarkers(monaco: Monaco, editor: MonacoEditor, markers: Marker[]): void {
  const model = editor.getModel();
  if (!model) {
    return;
  }
  monaco.editor.setModelMarkers(
    model,
    LANGUAGE_ID,
    markers.map((m) => {
      const s = model.getPositionAt(m.from);
      const e = model.getPositionAt(Math.max(m.to, m.from + 1));
      return {
        severity: monaco.MarkerSeverity.Error,
        message: m.message,
        startLineNumber: s.lineNumber,
        startColumn: s.column,
        endLineNumber: e.lineNumber,
        endColumn: e.column === s.column && e.lineNumber === s.lineNumber ? s.column + 1 : e.column,
      };
    }),
  );
}
