// Go text/template engine with Loki's function library, for LogQL `line_format` / `label_format`.
import { Exec } from './exec';
import { type Env, FUNCS } from './funcs';
import { parseTemplate, TemplateError } from './parse';
import { GoMap } from './values';

export { TemplateError } from './parse';
export { DEFAULT_TEMPLATE_LIMITS, setTemplateLimits, type TemplateLimits } from './limits';
/** Sets the IANA zone that Go's time.Local stands for in date/toDate/now/__timestamp__ (default: $TZ or system zone). */
export { setLocalZone as setTemplateLocalZone } from './gotime';

export interface TemplateContext {
  labels: Record<string, string>;
  line: string;
  ts: bigint /* ns */;
}

/**
 * Compiles a template once; the returned function renders it for one log line.
 * Throws TemplateError (with `pos`, an offset into `src`) on a parse error; the returned
 * function throws TemplateError on a runtime error (e.g. wrong argument types).
 */
export function compileTemplate(src: string): (ctx: TemplateContext) => string {
  const tmpl = parseTemplate(src, FUNCS as Map<string, never>);
  const root = tmpl.root;
  // Fast paths: plain text, and `{{ .label }}` (mirrors Loki's simpleKey optimisation).
  if (tmpl.defines.size === 0) {
    if (root.length === 0) return () => '';
    if (root.length === 1 && root[0]!.k === 'text') {
      const text = root[0].text;
      return () => text;
    }
    if (root.length === 1 && root[0]!.k === 'action') {
      const pipe = root[0].pipe;
      const cmd = pipe.cmds[0]!;
      const arg = cmd.args[0]!;
      if (
        pipe.decl.length === 0 &&
        pipe.cmds.length === 1 &&
        cmd.args.length === 1 &&
        arg.k === 'field' &&
        arg.idents.length === 1
      ) {
        const key = arg.idents[0]!;
        return (ctx) => (Object.prototype.hasOwnProperty.call(ctx.labels, key) ? ctx.labels[key]! : '');
      }
    }
  }
  const env: Env = { line: '', ts: 0n };
  const exec = new Exec(src, tmpl, env);
  return (ctx) => {
    env.line = ctx.line;
    env.ts = ctx.ts;
    try {
      return exec.run(GoMap.ofLabels(ctx.labels));
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      if (e instanceof RangeError) throw new TemplateError(`template: ${e.message}`);
      throw e;
    }
  };
}

/** Names of all functions callable from templates (for editor completion). */
export const TEMPLATE_FUNCTIONS: readonly string[] = Object.freeze([...FUNCS.keys()].sort());
