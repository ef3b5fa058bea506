// Tree-walking evaluator for parsed templates, following Go's text/template exec semantics
// with Option("missingkey=zero").
import { formatV } from './fmt';
import { FuncError, type Env, type FuncDef, type Kind, callTimeMethod } from './funcs';
import { GoTime } from './gotime';
import {
  type Arg,
  type Cmd,
  type Node,
  type NumberLit,
  type ParsedTemplate,
  type Pipe,
  makeError,
  TemplateError,
} from './parse';
import { GoMap, type Value, truth, typeName } from './values';
import { limits, outputLimitMessage, overOutputLimit, utf8Length } from './limits';

const MISSING: unique symbol = Symbol('missing');
type Final = Value | typeof MISSING;

const MAX_DEPTH = 1000;
const enum Flow {
  Normal,
  Break,
  Continue,
}

export class Exec {
  private vars: { name: string; value: Value }[] = [];
  private out = '';
  private outBytes = 0;
  private exact = false;
  private depth = 0;
  private steps = 0;

  constructor(
    private readonly src: string,
    private readonly tmpl: ParsedTemplate,
    private readonly env: Env,
  ) {}

  run(data: Value): string {
    this.vars = [{ name: '$', value: data }];
    this.out = '';
    this.outBytes = 0;
    this.exact = false;
    this.steps = 0;
    this.walkList(data, this.tmpl.root);
    return this.out;
  }

  private error(pos: number, msg: string): TemplateError {
    return makeError(this.src, pos, msg);
  }

  /** one more step (an action, a loop iteration, a template call); fails past limits.maxSteps */
  private step(pos: number): void {
    if (++this.steps > limits.maxSteps) {
      throw this.error(pos, `exceeded the maximum of ${limits.maxSteps} template execution steps`);
    }
  }

  private write(s: string, pos: number): void {
    if (s === '') return;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: count exactly only once the output could reach the bound
    if (this.exact) this.outBytes += utf8Length(s);
    else if ((this.out.length + s.length) * 3 > limits.maxOutputBytes) {
      this.exact = true;
      this.outBytes = utf8Length(this.out) + utf8Length(s);
    }
    if (this.exact && this.outBytes > limits.maxOutputBytes) throw this.error(pos, outputLimitMessage());
    this.out += s;
  }

  // ---- statements ----

  private walkList(dot: Value, list: Node[]): Flow {
    for (let i = 0; i < list.length; i++) {
      const f = this.walk(dot, list[i]!);
      if (f !== Flow.Normal) return f;
    }
    return Flow.Normal;
  }

  private walk(dot: Value, node: Node): Flow {
    switch (node.k) {
      case 'text':
        this.write(node.text, 0);
        return Flow.Normal;
      case 'action': {
        this.step(node.pos);
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.write(printValue(v), node.pos);
        return Flow.Normal;
      }
      case 'if':
      case 'with': {
        this.step(node.pos);
        const mark = this.vars.length;
        const v = this.evalPipeline(dot, node.pipe);
        let f = Flow.Normal;
        if (truth(v)) f = this.walkList(node.k === 'with' ? v : dot, node.list);
        else if (node.elseList) f = this.walkList(dot, node.elseList);
        this.vars.length = mark;
        return f;
      }
      case 'range':
        return this.walkRange(dot, node);
      case 'break':
        return Flow.Break;
      case 'continue':
        return Flow.Continue;
      case 'template': {
        const list = this.tmpl.defines.get(node.name);
        if (!list) throw this.error(node.pos, `no such template ${JSON.stringify(node.name)}`);
        const newDot = node.pipe ? this.evalPipeline(dot, node.pipe) : null;
        this.step(node.pos);
        if (++this.depth > MAX_DEPTH) throw this.error(node.pos, `exceeded maximum template depth (${MAX_DEPTH})`);
        const saved = this.vars;
        this.vars = [{ name: '$', value: newDot }];
        try {
          this.walkList(newDot, list);
        } finally {
          this.vars = saved;
          this.depth--;
        }
        return Flow.Normal;
      }
    }
  }

  private walkRange(dot: Value, node: Extract<Node, { k: 'if' | 'with' | 'range' }>): Flow {
    const mark = this.vars.length;
    const pipe = node.pipe;
    // Evaluate the commands without the declarations: range binds them per iteration.
    let v: Final = MISSING;
    for (const c of pipe.cmds) v = this.evalCommand(dot, c, v);
    const val: Value = v === MISSING ? null : v;
    const decl = pipe.decl;
    const two = decl.length > 1;
    const oneIter = (index: Value, elem: Value): Flow => {
      this.step(node.pos);
      if (decl.length > 0) {
        if (pipe.isAssign) {
          if (two) this.setVar(decl[0]!, index, pipe.pos);
          this.setVar(decl[two ? 1 : 0]!, elem, pipe.pos);
        } else {
          if (two) this.vars.push({ name: decl[0]!, value: index });
          this.vars.push({ name: decl[two ? 1 : 0]!, value: elem });
        }
      }
      const f = this.walkList(elem, node.list);
      this.vars.length = mark;
      return f;
    };
    let any = false;
    if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i++) {
        any = true;
        if (oneIter(BigInt(i), val[i]!) === Flow.Break) break;
      }
    } else if (val instanceof GoMap) {
      for (const k of val.sortedKeys()) {
        any = true;
        if (oneIter(k, val.get(k)!) === Flow.Break) break;
      }
    } else if (typeof val === 'bigint') {
      if (two) throw this.error(node.pos, `can't use ${val} to iterate over more than one variable`);
      for (let i = 0n; i < val; i++) {
        any = true;
        if (oneIter(i, i) === Flow.Break) break;
      }
    } else if (val !== null) {
      throw this.error(node.pos, `range can't iterate over ${formatV(val)}`);
    }
    let f = Flow.Normal;
    if (!any && node.elseList) f = this.walkList(dot, node.elseList);
    this.vars.length = mark;
    return f;
  }

  // ---- variables ----

  private setVar(name: string, value: Value, pos: number): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    throw this.error(pos, `undefined variable: ${name}`);
  }

  private varValue(name: string, pos: number): Value {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) return this.vars[i]!.value;
    }
    throw this.error(pos, `undefined variable: ${name}`);
  }

  // ---- pipelines ----

  private evalPipeline(dot: Value, pipe: Pipe): Value {
    let v: Final = MISSING;
    const cmds = pipe.cmds;
    for (let i = 0; i < cmds.length; i++) v = this.evalCommand(dot, cmds[i]!, v);
    const value = v === MISSING ? null : v;
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, value, pipe.pos);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private notAFunction(args: Arg[], final: Final): void {
    if (args.length > 1 || final !== MISSING) {
      throw this.error(args[0]!.pos, `can't give argument to non-function ${argString(args[0]!)}`);
    }
  }

  private evalCommand(dot: Value, cmd: Cmd, final: Final): Value {
    const first = cmd.args[0]!;
    switch (first.k) {
      case 'field':
        return this.evalFieldChain(dot, dot, first.pos, first.idents, cmd.args, final);
      case 'chain':
        return this.evalChain(dot, first, cmd.args, final);
      case 'ident':
        return this.evalCall(dot, first.fn, first.pos, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first.pipe);
      case 'var':
        return this.evalVariable(dot, first, cmd.args, final);
      case 'bool':
        this.notAFunction(cmd.args, final);
        return first.v;
      case 'dot':
        this.notAFunction(cmd.args, final);
        return dot;
      case 'nil':
        throw this.error(first.pos, 'nil is not a command');
      case 'number':
        this.notAFunction(cmd.args, final);
        return first.ideal;
      case 'string':
        this.notAFunction(cmd.args, final);
        return first.v;
    }
  }

  private evalVariable(dot: Value, node: Extract<Arg, { k: 'var' }>, args: Arg[], final: Final): Value {
    const v = this.varValue(node.name, node.pos);
    if (node.idents.length === 0) {
      this.notAFunction(args, final);
      return v;
    }
    return this.evalFieldChain(dot, v, node.pos, node.idents, args, final);
  }

  private evalChain(dot: Value, node: Extract<Arg, { k: 'chain' }>, args: Arg[], final: Final): Value {
    if (node.node.k === 'nil') throw this.error(node.pos, 'indirection through explicit nil');
    const recv = this.evalArg(dot, 'any', node.node);
    return this.evalFieldChain(dot, recv, node.pos, node.fields, args, final);
  }

  private evalFieldChain(dot: Value, receiver: Value, pos: number, idents: string[], args: Arg[], final: Final): Value {
    const n = idents.length;
    let r = receiver;
    for (let i = 0; i < n - 1; i++) r = this.evalField(dot, idents[i]!, pos, null, MISSING, r);
    return this.evalField(dot, idents[n - 1]!, pos, args, final, r);
  }

  private evalField(dot: Value, name: string, pos: number, args: Arg[] | null, final: Final, receiver: Value): Value {
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (receiver instanceof GoMap) {
      if (hasArgs) throw this.error(pos, `${name} is not a method but has arguments`);
      const v = receiver.get(name);
      return v === undefined ? receiver.zero() : v;
    }
    if (receiver instanceof GoTime) {
      const argv: Value[] = [];
      if (args) for (let i = 1; i < args.length; i++) argv.push(this.evalArg(dot, 'any', args[i]!));
      if (final !== MISSING) argv.push(final);
      try {
        const r = callTimeMethod(receiver, name, argv);
        if (r === undefined) throw this.error(pos, `can't evaluate field ${name} in type time.Time`);
        return r;
      } catch (e) {
        if (e instanceof FuncError) throw this.error(pos, `error calling ${name}: ${e.message}`);
        throw e;
      }
    }
    if (receiver === null) throw this.error(pos, `nil pointer evaluating interface {}.${name}`);
    throw this.error(pos, `can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private evalCall(dot: Value, fn: FuncDef, pos: number, args: Arg[], final: Final): Value {
    const name = fn.name;
    const argc = args.length - 1;
    const numIn = argc + (final !== MISSING ? 1 : 0);
    const fixed = fn.params.length;
    if (fn.variadic !== undefined) {
      if (numIn < fixed) throw this.error(pos, `wrong number of args for ${name}: want at least ${fixed} got ${numIn}`);
    } else if (numIn !== fixed) {
      throw this.error(pos, `wrong number of args for ${name}: want ${fixed} got ${numIn}`);
    }
    if (fn.lazy) {
      // and / or: short-circuit
      const isOr = name === 'or';
      let v: Value = null;
      for (let i = 1; i < args.length; i++) {
        v = this.evalArg(dot, 'any', args[i]!);
        if (truth(v) === isOr) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    const argv: Value[] = new Array(numIn);
    for (let i = 0; i < argc; i++) {
      const kind = i < fixed ? fn.params[i]! : fn.variadic!;
      argv[i] = this.evalArg(dot, kind, args[i + 1]!);
    }
    if (final !== MISSING) {
      const kind = argc < fixed ? fn.params[argc]! : fn.variadic!;
      argv[argc] = this.validate(final, kind, pos);
    }
    let r: Value;
    try {
      r = fn.call(argv, this.env);
    } catch (e) {
      if (e instanceof FuncError) throw this.error(pos, `error calling ${name}: ${e.message}`);
      if (e instanceof TemplateError) throw e;
      if (e instanceof RangeError || e instanceof TypeError)
        throw this.error(pos, `error calling ${name}: ${e.message}`);
      throw e;
    }
    if (typeof r === 'string' && overOutputLimit(r))
      throw this.error(pos, `error calling ${name}: ${outputLimitMessage()}`);
    return r;
  }

  private validate(v: Value, kind: Kind, pos: number): Value {
    if (kind === 'any') return v;
    if (v === null) throw this.error(pos, `invalid value; expected ${GO_KIND[kind]}`);
    let ok: boolean;
    switch (kind) {
      case 'string':
        ok = typeof v === 'string';
        break;
      case 'int':
        ok = typeof v === 'bigint';
        break;
      case 'float':
        ok = typeof v === 'number';
        break;
      case 'bool':
        ok = typeof v === 'boolean';
        break;
      case 'time':
        ok = v instanceof GoTime;
        break;
    }
    if (!ok) throw this.error(pos, `wrong type for value; expected ${GO_KIND[kind]}; got ${typeName(v)}`);
    return v;
  }

  private evalArg(dot: Value, kind: Kind, n: Arg): Value {
    switch (n.k) {
      case 'dot':
        return this.validate(dot, kind, n.pos);
      case 'nil':
        if (kind === 'any') return null;
        throw this.error(n.pos, `cannot assign nil to ${GO_KIND[kind]}`);
      case 'field':
        return this.validate(this.evalFieldChain(dot, dot, n.pos, n.idents, [n], MISSING), kind, n.pos);
      case 'var':
        return this.validate(this.evalVariable(dot, n, [n], MISSING), kind, n.pos);
      case 'pipe':
        return this.validate(this.evalPipeline(dot, n.pipe), kind, n.pos);
      case 'ident':
        return this.validate(this.evalCall(dot, n.fn, n.pos, [n], MISSING), kind, n.pos);
      case 'chain':
        return this.validate(this.evalChain(dot, n, [n], MISSING), kind, n.pos);
      case 'bool':
        if (kind === 'bool' || kind === 'any') return n.v;
        throw this.error(n.pos, `expected ${KIND_EXPECT[kind]}; found ${n.v}`);
      case 'string':
        if (kind === 'string' || kind === 'any') return n.v;
        throw this.error(n.pos, `expected ${KIND_EXPECT[kind]}; found ${n.text}`);
      case 'number':
        return this.numberArg(n, kind);
    }
  }

  private numberArg(n: NumberLit, kind: Kind): Value {
    switch (kind) {
      case 'any':
        return n.ideal;
      case 'int':
        if (n.isInt) return n.int;
        break;
      case 'float':
        if (n.isFloat) return n.float;
        break;
    }
    throw this.error(n.pos, `expected ${KIND_EXPECT[kind]}; found ${n.text}`);
  }
}

/** How Go's text/template names a kind: in "expected …" argument errors, and as a Go type. */
const KIND_EXPECT: Record<Kind, string> = {
  int: 'integer',
  float: 'float',
  bool: 'bool',
  string: 'string',
  time: 'time.Time',
  any: 'value',
};
const GO_KIND: Record<Kind, string> = {
  int: 'int',
  float: 'float64',
  bool: 'bool',
  string: 'string',
  time: 'time.Time',
  any: 'interface {}',
};

function argString(a: Arg): string {
  switch (a.k) {
    case 'field':
      return '.' + a.idents.join('.');
    case 'var':
      return a.name + a.idents.map((x) => '.' + x).join('');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(a.v);
    case 'string':
      return a.text;
    case 'number':
      return a.text;
    case 'ident':
      return a.name;
    case 'pipe':
      return '(...)';
    case 'chain':
      return argString(a.node) + a.fields.map((x) => '.' + x).join('');
  }
}

/** How an action's value is written to the output (printValue). */
export function printValue(v: Value): string {
  if (typeof v === 'string') return v;
  if (v === null) return '<no value>';
  return formatV(v);
}
