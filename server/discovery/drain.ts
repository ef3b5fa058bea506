// A Drain log-template miner (He et al., "Drain: An Online Log Parsing Approach with Fixed Depth Tree", ICWS 2017),
// with the adjustments Loki's pattern ingester makes (pkg/pattern/drain): `<_>` as the variable placeholder,
// similarity threshold 0.3, bounded children per node and a bounded, least-recently-used set of clusters, and
// consecutive placeholders collapsed in the printed pattern so it is a valid `|> "…"` pattern filter.
//
// Lines are split into tokens at spaces (so a pattern joins back with single spaces) and additionally around
// `=`, `:`, `,` and quotes inside tokens when that helps (`key=value` → `key=`, `value`); tokens that look like
// variables (numbers, hex ids, UUIDs, IPs, timestamps, durations) are masked before clustering, as Drain's
// preprocessing step prescribes.

export const PARAM = '<_>';

export interface DrainOptions {
  /** depth of the prefix tree (Drain's `depth`, counting root and length layers; default 4) */
  depth?: number;
  /** similarity a line needs to join a cluster (default 0.3) */
  simThreshold?: number;
  /** children per internal node (default 100) */
  maxChildren?: number;
  /** clusters kept; the least recently matched is evicted (default 1000) */
  maxClusters?: number;
  /** lines longer than this many tokens are truncated for clustering (default 80) */
  maxTokens?: number;
}

export interface Cluster {
  id: number;
  tokens: string[];
  count: number;
  /** separators before each token ('' for the first) */
  seps: string[];
}

interface Node {
  children: Map<string, Node>;
  clusters: Cluster[];
}

const VARIABLE_RE = new RegExp(
  [
    '^[-+]?\\d+(?:\\.\\d+)?(?:e[-+]?\\d+)?$', // numbers
    '^[-+]?\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s|m|h|d|b|kb|mb|gb|kib|mib|gib|%)$', // durations, sizes, percentages
    '^0x[0-9a-f]+$',
    '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', // uuid
    '^(?=[0-9a-f]*\\d)[0-9a-f]{8,}$', // hex ids, hashes
    '^\\d{1,3}(?:\\.\\d{1,3}){3}(?::\\d+)?$', // ipv4[:port]
    '^[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}$', // ipv6
    '^\\d{4}-\\d{2}-\\d{2}(?:[t ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:z|[-+]\\d{2}:?\\d{2})?)?$', // dates, RFC3339
    '^\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?$', // clock times
    '^[a-z]+-?\\d+(?:-\\d+)*$', // host-1, pod-7f9
  ].join('|'),
  'i',
);

/** True when a token is a variable by its shape alone. */
export function looksVariable(tok: string): boolean {
  const t = tok.replace(/\x1b\[[0-9;]*m/g, '').replace(/^["'([{<]+|[)\]}>"',;.:]+$/g, '');
  return t !== '' && VARIABLE_RE.test(t);
}

const TEXT_TOKEN = /[^\s=]+=?|=/g;
// JSON lines: strings (keys keep their colon), bare values, and structural punctuation are tokens
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"\s*:?|[^\s,{}[\]":]+|[{}[\],:]/g;

/** Split a line into tokens and the separators before them (`key=value` splits after `=`; JSON by its syntax). */
export function tokenize(line: string, maxTokens = 80): { tokens: string[]; seps: string[] } {
  const tokens: string[] = [];
  const seps: string[] = [];
  const re = new RegExp(line.trimStart().startsWith('{') ? JSON_TOKEN : TEXT_TOKEN);
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    const sep = line.slice(last, m.index);
    if (tokens.length >= maxTokens) {
      // the rest of the line is one variable tail
      tokens.push(PARAM);
      seps.push(sep);
      break;
    }
    tokens.push(m[0]);
    seps.push(sep);
    last = m.index + m[0].length;
  }
  return { tokens, seps };
}

export class Drain {
  private readonly root: Node = { children: new Map(), clusters: [] };
  private readonly clusters = new Map<number, Cluster>();
  private nextId = 1;
  private readonly depth: number;
  private readonly sim: number;
  private readonly maxChildren: number;
  private readonly maxClusters: number;
  private readonly maxTokens: number;

  constructor(opts: DrainOptions = {}) {
    this.depth = Math.max(3, opts.depth ?? 4);
    this.sim = opts.simThreshold ?? 0.3;
    this.maxChildren = opts.maxChildren ?? 100;
    this.maxClusters = opts.maxClusters ?? 1000;
    this.maxTokens = opts.maxTokens ?? 80;
  }

  /** Add a line; returns its cluster. */
  train(line: string): Cluster {
    const { tokens: raw, seps } = tokenize(line, this.maxTokens);
    const tokens = raw.map((t) => (t !== PARAM && looksVariable(t) ? PARAM : t));
    const leaf = this.leafFor(tokens)!;
    const found = this.bestMatch(leaf.clusters, tokens);
    if (found) {
      for (let i = 0; i < tokens.length; i++) if (found.tokens[i] !== tokens[i]) found.tokens[i] = PARAM;
      found.count++;
      // LRU: re-insert
      this.clusters.delete(found.id);
      this.clusters.set(found.id, found);
      return found;
    }
    const c: Cluster = { id: this.nextId++, tokens: [...tokens], count: 1, seps };
    leaf.clusters.push(c);
    this.clusters.set(c.id, c);
    if (this.clusters.size > this.maxClusters) this.evict(leaf);
    return c;
  }

  /** The cluster a line would join, without changing anything. */
  match(line: string): Cluster | undefined {
    const { tokens: raw } = tokenize(line, this.maxTokens);
    const tokens = raw.map((t) => (t !== PARAM && looksVariable(t) ? PARAM : t));
    const leaf = this.leafFor(tokens, false);
    if (!leaf) return undefined;
    // a pattern's placeholders match anything: require every literal token to be equal
    for (const c of leaf.clusters) {
      if (c.tokens.length !== tokens.length) continue;
      let ok = true;
      for (let i = 0; i < tokens.length && ok; i++) if (c.tokens[i] !== PARAM && c.tokens[i] !== tokens[i]) ok = false;
      if (ok) return c;
    }
    return undefined;
  }

  all(): Cluster[] {
    return [...this.clusters.values()];
  }

  private evict(keep: Node): void {
    const oldest = this.clusters.keys().next().value as number;
    const c = this.clusters.get(oldest)!;
    this.clusters.delete(oldest);
    const remove = (n: Node): boolean => {
      const i = n.clusters.indexOf(c);
      if (i >= 0) {
        n.clusters.splice(i, 1);
        return true;
      }
      for (const ch of n.children.values()) if (remove(ch)) return true;
      return false;
    };
    void keep;
    remove(this.root);
  }

  private leafFor(tokens: string[], create = true): Node | undefined {
    const lenKey = String(tokens.length);
    let node: Node | undefined = this.root.children.get(lenKey);
    if (!node) {
      if (!create) return undefined;
      node = { children: new Map(), clusters: [] };
      this.root.children.set(lenKey, node);
    }
    const prefix = Math.min(this.depth - 2, tokens.length);
    for (let i = 0; i < prefix; i++) {
      // as in Drain, a token containing digits is a wildcard for the tree (it is likely a variable)
      const tok: string = /\d/.test(tokens[i]!) ? PARAM : tokens[i]!;
      const cur: Node = node;
      let next: Node | undefined = cur.children.get(tok);
      if (!next) {
        const wild: Node | undefined = cur.children.get(PARAM);
        if (!create) {
          if (!wild) return undefined;
          next = wild;
        } else if (tok !== PARAM && cur.children.size < this.maxChildren) {
          next = { children: new Map(), clusters: [] };
          cur.children.set(tok, next);
        } else if (wild) {
          next = wild;
        } else {
          next = { children: new Map(), clusters: [] };
          cur.children.set(PARAM, next);
        }
      }
      node = next;
    }
    return node;
  }

  private bestMatch(clusters: Cluster[], tokens: string[]): Cluster | undefined {
    let best: Cluster | undefined;
    let bestSim = -1;
    let bestParams = -1;
    for (const c of clusters) {
      if (c.tokens.length !== tokens.length) continue;
      let same = 0;
      let params = 0;
      for (let i = 0; i < tokens.length; i++) {
        const t = c.tokens[i];
        // masked variables in the line equal the template's placeholders (Drain3 counts masks as equal tokens)
        if (t === tokens[i]) same++;
        else if (t === PARAM) params++;
      }
      const sim = tokens.length === 0 ? 1 : same / tokens.length;
      if (sim > bestSim || (sim === bestSim && params > bestParams)) {
        best = c;
        bestSim = sim;
        bestParams = params;
      }
    }
    return best && bestSim >= this.sim ? best : undefined;
  }
}

/** A cluster as a pattern string: tokens joined with their separators, consecutive placeholders collapsed. */
export function patternString(c: Cluster): string {
  let out = '';
  let prevParam = false;
  for (let i = 0; i < c.tokens.length; i++) {
    const t = c.tokens[i]!;
    if (t === PARAM) {
      if (prevParam) continue;
      prevParam = true;
    } else {
      prevParam = false;
    }
    out += (i === 0 ? '' : (c.seps[i] ?? ' ')) + t;
  }
  return out;
}
