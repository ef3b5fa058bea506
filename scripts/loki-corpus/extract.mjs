// Extracts the LogQL strings of Loki's own tests: every Go string literal of the *_test.go files under pkg/logql of
// a Loki git checkout (at a tag) that looks like a LogQL query. Prints them, one JSON string a line, deduplicated.
//   node scripts/loki-corpus/extract.mjs <loki git dir> [tag=v3.7.6] > corpus.jsonl
// The strings are then sent to Loki's parser (oracle/, Go) to record what Loki accepts and how it formats them.
import { execFileSync } from 'node:child_process';
import { TextDecoder, TextEncoder } from 'node:util';

const all = process.argv.includes('--all');
const [gitDir, tag = 'v3.7.6'] = process.argv.slice(2).filter((a) => a !== '--all');
if (!gitDir) throw new Error('usage: extract.mjs <loki git dir> [tag]');
const git = (...args) => execFileSync('git', ['-C', gitDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });

/** Go string literals of a Go source file (comments and rune literals skipped), decoded. */
function goStrings(src) {
  const out = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '/') {
      i = src.indexOf('\n', i);
      if (i < 0) break;
    } else if (c === '/' && src[i + 1] === '*') {
      i = src.indexOf('*/', i + 2);
      if (i < 0) break;
      i += 2;
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) break;
      out.push(src.slice(i + 1, j).replaceAll('\r', ''));
      i = j + 1;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      if (c === '"') {
        try {
          const bytes = decodeGo(src.slice(i + 1, j));
          out.push(surrogateEscape(bytes));
        } catch {
          // not a valid literal: skip
        }
      }
      i = j + 1;
    } else i++;
  }
  return out;
}

/** a Go "…" literal body → its bytes (Go escapes are bytes: "\xff" is one byte, maybe invalid UTF-8) */
function decodeGo(body) {
  const bytes = [];
  const enc = new TextEncoder();
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      const s = String.fromCodePoint(body.codePointAt(i));
      bytes.push(...enc.encode(s));
      i += s.length - 1;
      continue;
    }
    const e = body[++i];
    const simple = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, "'": 39 };
    if (e in simple) bytes.push(simple[e]);
    else if (e === 'x') {
      bytes.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      bytes.push(...enc.encode(String.fromCodePoint(parseInt(body.slice(i + 1, i + 1 + n), 16))));
      i += n;
    } else if (/[0-7]/.test(e)) {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else throw new Error('bad escape');
  }
  return Buffer.from(bytes);
}

/** bytes → a JS string; bytes that are not valid UTF-8 become lone surrogates U+DC80–U+DCFF ("surrogateescape"),
 *  which our lexer rejects as Loki's rejects invalid UTF-8 */
export function surrogateEscape(buf) {
  let out = '';
  const dec = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < buf.length;) {
    const b = buf[i];
    const n = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
    if (n > 0 && i + n <= buf.length) {
      try {
        out += dec.decode(buf.subarray(i, i + n));
        i += n;
        continue;
      } catch {
        // fall through: one invalid byte
      }
    }
    out += String.fromCharCode(0xdc00 + b);
    i++;
  }
  return out;
}

const FUNCS =
  'rate|rate_counter|count_over_time|bytes_rate|bytes_over_time|avg_over_time|sum_over_time|min_over_time|max_over_time|' +
  'stdvar_over_time|stddev_over_time|quantile_over_time|first_over_time|last_over_time|absent_over_time|vector|sum|avg|' +
  'count|max|min|stddev|stdvar|bottomk|topk|sort|sort_desc|approx_topk|label_replace|variants';
const looksLikeFunction = new RegExp(`^[\\s(]*(${FUNCS})\\s*(by|without)?\\s*\\(`, 'i');
const looksLikeSelector = /^[\s(]*(\{\s*([A-Za-z_][A-Za-z0-9_]*\s*(=|!=|=~|!~)|\})|[-+]?[0-9.])/;

const files = git('ls-tree', '-r', '--name-only', tag, 'pkg/logql')
  .split('\n')
  .filter((f) => f.endsWith('_test.go'));
const seen = new Set();
for (const f of files) {
  for (const s of goStrings(git('show', `${tag}:${f}`))) {
    if (seen.has(s) || s.length > 4000) continue;
    if (!all && !looksLikeFunction.test(s) && !looksLikeSelector.test(s)) continue;
    seen.add(s);
    // the query, and its exact bytes for the Go oracle (a lone surrogate stands for an invalid byte)
    const bytes = Buffer.from(
      [...s].flatMap((c) => {
        const u = c.charCodeAt(0);
        return c.length === 1 && u >= 0xdc80 && u <= 0xdcff ? [u - 0xdc00] : [...Buffer.from(c, 'utf8')];
      }),
    );
    process.stdout.write(JSON.stringify({ q: s, b64: bytes.toString('base64') }) + '\n');
  }
}
