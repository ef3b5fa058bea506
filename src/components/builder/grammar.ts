// LogQL for Prism (what @grafana/plugin-ui's RawQuery highlights with): tokens only, no parsing.

import { RANGE_FUNCTIONS, VECTOR_FUNCTIONS } from '../../../server/logql/functions';

const words = (list: string[]) => new RegExp(`\\b(?:${list.join('|')})\\b`);

export const logqlLanguage = {
  name: 'logql',
  grammar: {
    comment: /#.*/,
    string: { pattern: /"(?:\\.|[^\\"\n])*"|`[^`]*`/, greedy: true },
    function: {
      pattern: words([...Object.keys(RANGE_FUNCTIONS), ...Object.keys(VECTOR_FUNCTIONS), 'label_replace', 'vector']),
      alias: 'function',
    },
    'pipe-operations': {
      pattern: words([
        'json',
        'logfmt',
        'regexp',
        'pattern',
        'unpack',
        'line_format',
        'label_format',
        'drop',
        'keep',
        'decolorize',
        'unwrap',
        'duration',
        'duration_seconds',
        'bytes',
        'ip',
      ]),
      alias: 'builtin',
    },
    keyword: words([
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
    ]),
    'label-key': { pattern: /\b[A-Za-z_][\w.]*(?=\s*(?:=~|!~|!=|=|>=|<=|>|<|==))/, alias: 'attr-name' },
    'pipe-operator': { pattern: /\|[=~>]?|![=~>]/, alias: 'operator' },
    number: /\b\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:ns|us|µs|ms|[smhdwy]|[kKMGTPE]i?B|B)?\b/,
    variable: /\$\{?\w+\}?/,
    operator: /=~|!~|[=!<>]=?|[-+*/%^]/,
    punctuation: /[{}()[\],]/,
  } as Record<string, unknown>,
};
