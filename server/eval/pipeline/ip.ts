// Loki's ip() matcher (pkg/logql/log/ip.go): a single address, a CIDR prefix or a range `a-b`, IPv4 or IPv6 (Go's
// net/netip parsing rules), and the scan that finds candidate addresses inside a line.

interface Addr {
  v4: boolean;
  bytes: number[]; // 4 or 16
}

function parseV4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    if (p.length > 1 && p[0] === '0') return null; // netip rejects leading zeros
    const v = Number(p);
    if (v > 255) return null;
    out.push(v);
  }
  return out;
}

function parseV6(s: string): number[] | null {
  if (s.includes('%')) return null; // zones: not produced by the line scan; rejected in patterns
  let tail: number[] = [];
  let str = s;
  // embedded IPv4 in the last 32 bits
  const lastColon = str.lastIndexOf(':');
  if (str.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(str.slice(lastColon + 1));
    if (!v4) return null;
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    str = str.slice(0, lastColon + 1); // "::ffff:" / "1:2:3:4:5:6:" / "::"
    if (!str.endsWith('::')) str = str.slice(0, -1);
  }
  const want = 8 - tail.length;
  const dbl = str.indexOf('::');
  if (dbl >= 0 && str.indexOf('::', dbl + 1) >= 0) return null;
  const parseGroups = (t: string): number[] | null => {
    if (t === '') return [];
    const gs = t.split(':');
    const out: number[] = [];
    for (const g of gs) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const a = parseGroups(str.slice(0, dbl));
    const b = parseGroups(str.slice(dbl + 2));
    if (!a || !b || a.length + b.length >= want) return null;
    groups = [...a, ...new Array(want - a.length - b.length).fill(0), ...b];
  } else {
    const a = parseGroups(str);
    if (!a || a.length !== want) return null;
    groups = a;
  }
  groups.push(...tail);
  const bytes: number[] = [];
  for (const g of groups) bytes.push(g >> 8, g & 0xff);
  return bytes;
}

export function parseAddr(s: string): Addr | null {
  if (s.includes(':')) {
    const b = parseV6(s);
    return b ? { v4: false, bytes: b } : null;
  }
  const b = parseV4(s);
  return b ? { v4: true, bytes: b } : null;
}

function cmp(a: Addr, b: Addr): number {
  if (a.v4 !== b.v4) return a.v4 ? -1 : 1;
  for (let i = 0; i < a.bytes.length; i++) if (a.bytes[i] !== b.bytes[i]) return a.bytes[i] - b.bytes[i];
  return 0;
}

export type IPMatcher = (addr: Addr) => boolean;

/** ParseAddr, else ParsePrefix, else netipx.ParseIPRange; throws `ip: invalid pattern` */
export function compileIPMatcher(pattern: string): IPMatcher {
  const single = parseAddr(pattern);
  if (single) return (a) => cmp(a, single) === 0;
  const slash = pattern.lastIndexOf('/');
  if (slash >= 0) {
    const base = parseAddr(pattern.slice(0, slash));
    const bitsS = pattern.slice(slash + 1);
    if (base && /^(0|[1-9]\d*)$/.test(bitsS) && Number(bitsS) <= base.bytes.length * 8) {
      const bits = Number(bitsS);
      return (a) => {
        if (a.v4 !== base.v4) return false;
        for (let i = 0; i < bits; i++) {
          const byte = i >> 3;
          const mask = 0x80 >> (i & 7);
          if ((a.bytes[byte] & mask) !== (base.bytes[byte] & mask)) return false;
        }
        return true;
      };
    }
  }
  const dash = pattern.indexOf('-');
  if (dash >= 0) {
    const from = parseAddr(pattern.slice(0, dash));
    const to = parseAddr(pattern.slice(dash + 1));
    if (from && to && from.v4 === to.v4 && cmp(from, to) <= 0) {
      return (a) => a.v4 === from.v4 && cmp(from, a) <= 0 && cmp(a, to) <= 0;
    }
  }
  throw new Error(`ip: invalid pattern: ${JSON.stringify(pattern)}`);
}

const V4 = '0123456789.';
const V6 = '0123456789abcdefABCDEF:.';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** true when the text contains an address the matcher accepts (Loki's ipFilter.filter scan) */
export function ipInText(m: IPMatcher, line: string): boolean {
  const n = line.length;
  if (n === 0) return false;
  const at = (i: number): number => (i < n ? line.charCodeAt(i) : 0);
  const tryAt = (start: number, charset: string): number => {
    let e = start;
    while (e < n && charset.includes(line[e])) e++;
    const a = parseAddr(line.slice(start, e));
    if (a && m(a)) return -1;
    return e - start;
  };
  for (let i = 0; i < n; i++) {
    if (i + 3 < n && isDigit(at(i)) && (at(i + 1) === 46 || at(i + 2) === 46 || at(i + 3) === 46)) {
      const r = tryAt(i, V4);
      if (r < 0) return true;
      i += r;
      continue;
    }
    const c0 = at(i);
    const c1 = at(i + 1);
    const c2 = at(i + 2);
    const c3 = at(i + 3);
    const c4 = at(i + 4);
    const hint =
      (c0 === 58 && c1 === 58 && isHex(c2)) ||
      (isHex(c0) && c1 === 58) ||
      (isHex(c0) && isHex(c1) && c2 === 58) ||
      (isHex(c0) && isHex(c1) && isHex(c2) && c3 === 58) ||
      (isHex(c0) && isHex(c1) && isHex(c2) && isHex(c3) && c4 === 58);
    if (hint) {
      const r = tryAt(i, V6);
      if (r < 0) return true;
      i += r;
    }
  }
  return false;
}
