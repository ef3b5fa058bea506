// Parse a Prometheus/Loki label-set string `{a="1", b="two \"quoted\""}` — what Loki's protobuf push carries in
// StreamAdapter.labels (Loki parses it with its LogQL parser; only `=` matchers with quoted values are valid there).
// Values use Go string-literal syntax: double quotes with escapes, or backquoted raw strings.
import { PushValidationError, LABEL_NAME_RE } from './decode';
import type { Labels } from '../engine/types';

const SIMPLE: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

function fail(s: string, at: number, what: string): never {
  throw new PushValidationError(
    `invalid stream labels ${JSON.stringify(s.length > 200 ? s.slice(0, 200) + '…' : s)}: ${what} at offset ${at}`,
  );
}

/** Parse `{name="value", …}`; labels with empty values are dropped (as Loki does). */
export function parseLabelsText(s: string): Labels {
  let i = 0;
  const n = s.length;
  const ws = () => {
    while (i < n && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
  };
  ws();
  if (s[i] !== '{') fail(s, i, 'expected "{"');
  i++;
  const labels: Labels = {};
  ws();
  if (s[i] === '}') {
    i++;
  } else {
    for (;;) {
      ws();
      const start = i;
      while (i < n && /[A-Za-z0-9_]/.test(s[i]!)) i++;
      const name = s.slice(start, i);
      if (!LABEL_NAME_RE.test(name)) fail(s, start, `invalid label name ${JSON.stringify(name)}`);
      ws();
      if (s[i] !== '=')
        fail(s, i, `expected "=" after ${name} (only equality matchers are allowed in a stream's labels)`);
      i++;
      ws();
      let value = '';
      const q = s[i];
      if (q === '`') {
        const end = s.indexOf('`', i + 1);
        if (end < 0) fail(s, i, 'unterminated raw string');
        value = s.slice(i + 1, end);
        i = end + 1;
      } else if (q === '"') {
        i++;
        let out = '';
        for (;;) {
          if (i >= n) fail(s, i, 'unterminated string');
          const c = s[i]!;
          if (c === '"') {
            i++;
            break;
          }
          if (c !== '\\') {
            out += c;
            i++;
            continue;
          }
          const e = s[i + 1];
          if (e === undefined) fail(s, i, 'unterminated escape');
          if (SIMPLE[e] !== undefined) {
            out += SIMPLE[e];
            i += 2;
          } else if (e === 'x' || e === 'u' || e === 'U') {
            const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
            const hex = s.slice(i + 2, i + 2 + len);
            if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail(s, i, `invalid \\${e} escape`);
            const cp = parseInt(hex, 16);
            if (e === 'x') {
              // Go \xHH is a byte; bytes ≥ 0x80 form UTF-8 sequences: collect consecutive \x escapes
              const bytes = [cp];
              let j = i + 4;
              while (s[j] === '\\' && s[j + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(j + 2, j + 4))) {
                bytes.push(parseInt(s.slice(j + 2, j + 4), 16));
                j += 4;
              }
              out += Buffer.from(bytes).toString('utf8');
              i = j;
              continue;
            }
            if (cp > 0x10ffff) fail(s, i, 'escape out of range');
            out += String.fromCodePoint(cp);
            i += 2 + len;
          } else if (e >= '0' && e <= '7') {
            const oct = s.slice(i + 1, i + 4);
            if (!/^[0-7]{3}$/.test(oct)) fail(s, i, 'invalid octal escape');
            out += Buffer.from([parseInt(oct, 8) & 0xff]).toString('latin1');
            i += 4;
          } else {
            fail(s, i, `unknown escape \\${e}`);
          }
        }
        value = out;
      } else {
        fail(s, i, 'expected a quoted value');
      }
      if (value !== '') labels[name] = value;
      ws();
      if (s[i] === ',') {
        i++;
        ws();
        if (s[i] === '}') {
          i++;
          break;
        }
        continue;
      }
      if (s[i] === '}') {
        i++;
        break;
      }
      fail(s, i, 'expected "," or "}"');
    }
  }
  ws();
  if (i !== n) fail(s, i, 'unexpected text after "}"');
  if (Object.keys(labels).length === 0)
    throw new PushValidationError(`stream labels ${JSON.stringify(s)}: empty label set`);
  return labels;
}
