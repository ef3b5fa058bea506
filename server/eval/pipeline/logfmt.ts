// Loki's logfmt decoder (pkg/logql/log/logfmt/decode.go), re-implemented over JS strings. Positions in error
// messages are UTF-8 byte offsets + 1, as in Go.

export class LogfmtDecoder {
  private line = '';
  private pos = 0;
  key: string | null = null;
  err: string | null = null;
  /** the pair's value: its text once read, or its bounds in the line until it is (most pairs are skipped by a
   *  parser that extracts only the labels a query reads, and a slice per value was most of their garbage) */
  private text: string | null = null;
  private valueStart = -1;
  private valueEnd = -1;

  get value(): string | null {
    if (this.text === null && this.valueStart >= 0) this.text = this.line.slice(this.valueStart, this.valueEnd);
    return this.text;
  }

  private setValue(start: number, end: number): void {
    this.valueStart = start;
    this.valueEnd = end;
  }

  reset(line: string): void {
    this.line = line;
    this.pos = 0;
    this.err = null;
  }

  eol(): boolean {
    return this.pos >= this.line.length;
  }

  private syntaxError(msg: string): void {
    const bytePos = Buffer.byteLength(this.line.slice(0, this.pos)) + 1;
    this.err = `logfmt syntax error at pos ${bytePos} : ${msg}`;
  }

  private unexpected(c: string): void {
    this.syntaxError(`unexpected ${goQuoteChar(c)}`);
  }

  /** ScanKeyval: false when the pair is malformed (or only whitespace remained) */
  scanKeyval(): boolean {
    this.key = null;
    this.text = null;
    this.valueStart = -1;
    const line = this.line;
    const n = line.length;
    let p = this.pos;
    while (p < n && line.charCodeAt(p) <= 32) p++;
    if (p >= n) {
      this.pos = n;
      return false;
    }
    this.pos = p;
    // key
    const start = p;
    for (; p < n; p++) {
      const c = line.charCodeAt(p);
      if (c === 61) {
        // '='
        this.pos = p;
        if (p > start) {
          this.key = line.slice(start, p);
          if (this.key.indexOf('\ufffd') >= 0) {
            this.key = null;
            this.syntaxError('invalid key');
            return this.skipValue();
          }
        }
        if (this.key === null) {
          this.unexpected('=');
          return this.skipValue();
        }
        return this.equal();
      }
      if (c === 34) {
        this.pos = p;
        this.unexpected('"');
        return this.skipValue();
      }
      if (c <= 32) {
        this.pos = p;
        if (p > start) {
          this.key = line.slice(start, p);
          if (this.key.indexOf('\ufffd') >= 0) {
            this.syntaxError('invalid key');
            return false;
          }
        }
        return true;
      }
    }
    this.pos = n;
    if (n > start) {
      this.key = line.slice(start, n);
      if (this.key.indexOf('\ufffd') >= 0) {
        this.syntaxError('invalid key');
        return false;
      }
    }
    return true;
  }

  private equal(): boolean {
    const line = this.line;
    const n = line.length;
    this.pos++;
    if (this.pos >= n) return true;
    const c0 = line.charCodeAt(this.pos);
    if (c0 <= 32) return true;
    if (c0 === 34) return this.qvalue();
    const start = this.pos;
    for (let p = this.pos; p < n; p++) {
      const c = line.charCodeAt(p);
      if (c === 61 || c === 34) {
        this.pos = p;
        this.unexpected(line[p]);
        return this.skipValue();
      }
      if (c <= 32) {
        this.pos = p;
        if (p > start) this.setValue(start, p);
        return true;
      }
    }
    this.pos = n;
    if (n > start) this.setValue(start, n);
    return true;
  }

  private skipValue(): boolean {
    const line = this.line;
    for (let p = this.pos; p < line.length; p++) {
      if (line.charCodeAt(p) <= 32) {
        this.pos = p;
        return false;
      }
    }
    this.pos = line.length;
    return false;
  }

  private qvalue(): boolean {
    const line = this.line;
    const n = line.length;
    let hasEsc = false;
    let esc = false;
    const start = this.pos;
    for (let p = this.pos + 1; p < n; p++) {
      const c = line.charCodeAt(p);
      if (esc) esc = false;
      else if (c === 92) {
        hasEsc = true;
        esc = true;
      } else if (c === 34) {
        this.pos = p + 1;
        if (hasEsc) {
          const v = unquote(line.slice(start + 1, p));
          if (v === null) {
            this.syntaxError('invalid quoted value');
            return false;
          }
          this.text = v;
        } else if (p > start + 1) {
          this.setValue(start + 1, p);
        }
        return true;
      }
    }
    this.pos = n;
    this.syntaxError('unterminated quoted value');
    return false;
  }
}

function goQuoteChar(c: string): string {
  return c === '"' ? `'"'` : `'${c}'`;
}

/** logfmt's unquoteBytes (JSON-style escapes plus \'); null when invalid */
function unquote(s: string): string | null {
  let out = '';
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s[i];
    if (c === '\\') {
      i++;
      if (i >= n) return null;
      const e = s[i];
      switch (e) {
        case '"':
        case '\\':
        case '/':
        case "'":
          out += e;
          i++;
          break;
        case 'b':
          out += '\b';
          i++;
          break;
        case 'f':
          out += '\f';
          i++;
          break;
        case 'n':
          out += '\n';
          i++;
          break;
        case 'r':
          out += '\r';
          i++;
          break;
        case 't':
          out += '\t';
          i++;
          break;
        case 'u': {
          const r = u4(s, i + 1);
          if (r < 0) return null;
          i += 5;
          if (r >= 0xd800 && r <= 0xdfff) {
            const r2 = s[i] === '\\' && s[i + 1] === 'u' ? u4(s, i + 2) : -1;
            if (r < 0xdc00 && r2 >= 0xdc00 && r2 <= 0xdfff) {
              out += String.fromCharCode(r, r2);
              i += 6;
              break;
            }
            out += '\ufffd';
            break;
          }
          out += String.fromCharCode(r);
          break;
        }
        default:
          return null;
      }
    } else if (c === '"') {
      return null;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function u4(s: string, i: number): number {
  const h = s.slice(i, i + 4);
  return /^[0-9A-Fa-f]{4}$/.test(h) ? parseInt(h, 16) : -1;
}
