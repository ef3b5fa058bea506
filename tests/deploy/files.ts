// Reading docker-compose.yaml and provisioning/ the way Docker Compose and Grafana read them, for the deploy tests:
// YAML through the `yaml` package, Compose's and Grafana's `$` interpolation, and the mount table of a service.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export const ROOT = resolve(__dirname, '..', '..');

export function readYaml(path: string): unknown {
  return parseYaml(readFileSync(join(ROOT, path), 'utf8'), { strict: true, uniqueKeys: true });
}

const VARIABLE = /\$\$|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * `$NAME` / `${NAME}` from `env` and `$$` as a literal `$` — what both Compose (interpolation) and Grafana's file
 * provisioning (environment expansion) do to every string. `unset` lists the names that were not in `env`.
 */
export function expandVariables(s: string, env: Record<string, string> = {}): { value: string; unset: string[] } {
  const unset: string[] = [];
  const value = s.replace(VARIABLE, (m, braced: string | undefined, bare: string | undefined) => {
    if (m === '$$') return '$';
    const name = (braced ?? bare ?? '').replace(/[:?-].*$/, '');
    if (!(name in env)) unset.push(name);
    return env[name] ?? '';
  });
  return { value, unset };
}

/** Every string in a parsed document, with its path (a.b[2].c). */
export function* strings(v: unknown, path = ''): Generator<[string, string]> {
  if (typeof v === 'string') yield [path, v];
  else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) yield* strings(v[i], `${path}[${i}]`);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) yield* strings(x, path ? `${path}.${k}` : k);
}

export interface ComposeService {
  image?: string;
  command?: string | string[];
  volumes?: string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  profiles?: string[];
  environment?: Record<string, string>;
  ports?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export interface Mount {
  /** a path relative to the repository (bind mount) or a named volume */
  source: string;
  bind: boolean;
  target: string;
  readOnly: boolean;
}

export function mounts(s: ComposeService): Mount[] {
  return (s.volumes ?? []).map((v) => {
    const [source, target, mode] = v.split(':');
    return { source, bind: source.startsWith('.') || source.startsWith('/'), target, readOnly: mode === 'ro' };
  });
}

/** The container path `p` seen from the host, through the service's mounts (`hostOf(source)` maps each source). */
export function hostPath(p: string, ms: Mount[], hostOf: (m: Mount) => string): string | undefined {
  const m = ms
    .filter((x) => p === x.target || p.startsWith(x.target + '/'))
    .sort((a, b) => b.target.length - a.target.length)[0];
  return m ? hostOf(m) + p.slice(m.target.length) : undefined;
}
