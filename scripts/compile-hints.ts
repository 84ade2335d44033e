// Eager-compile hints for the functions a Lambda cold start calls. V8 compiles a function when it is first called:
// at load it only pre-parses it, and on the first call it parses it again, fully, then generates its bytecode. A
// function expression in parentheses, `(function () {...})`, is compiled with the code around it instead (V8's
// heuristic for functions about to be called), which saves the second parse. A training run of the bundle (init and
// first requests, under V8's coverage) names the functions a cold start calls; each of them is put in that form, and
// the bundle's source map is moved along. What runs is unchanged: only when V8 compiles each function moves.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'acorn';
import type { Metafile } from 'esbuild';
import { assignedNames, type AstNode, children, isFunction } from './compile-hints-ast.js';
import { classMethodHints, METHODS_HELPER, METHODS_HELPER_CODE } from './compile-hints-classes.js';
import { calledAtColdStart, type CalledRange } from './compile-hints-training.js';

export type { CalledRange } from './compile-hints-training.js';

/** Text of the input copied to the output unchanged: [from, to) of the input starts at `at` in the output. */
export interface Span {
  from: number;
  to: number;
  at: number;
}

export interface HintedCode {
  code: string;
  spans: Span[];
  hinted: { expressions: number; arrows: number; declarations: number; methods: number };
}

/** Whether an arrow function reads its scope's `this`, `arguments`, `super` or `new.target`: then it stays an arrow. */
function readsEnclosingThis(arrow: AstNode): boolean {
  const visit = (node: AstNode): boolean => {
    if (node.type === 'ThisExpression' || node.type === 'Super' || node.type === 'MetaProperty') return true;
    if (node.type === 'Identifier' && node.name === 'arguments') return true;
    // A function (or a class's methods and fields) has a `this` of its own; an arrow inside shares the outer one.
    if (node !== arrow && (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration')) return false;
    return children(node).some(visit);
  };
  return visit(arrow);
}

interface Edit {
  start: number;
  end: number;
  text?: string;
  /** Moved code: text, and functions rendered here from their own range with the edits inside them. */
  parts?: (string | AstNode)[];
  /** The function an edit belongs to (its move and its removal), skipped when that function is rendered. */
  owner?: AstNode;
  /** Among edits at one offset: moved code first, then closing parentheses, then opening ones. */
  kind: 0 | 1 | 2;
  /** Then, in a kind: moved code and openers in source order, closers inner first. */
  key: number;
}

/**
 * Puts each called function in the parenthesized form V8 compiles eagerly: a function expression gets parentheses; an
 * arrow function that does not read `this` or `arguments` becomes a parenthesized function expression; a function
 * declaration directly in a function's body (or, with `moveTopLevel`, in the module's) becomes
 * `var f = (function f() {...});` at the top of that body, where declarations are hoisted to; a class method that
 * need not be one is defined by a static block put first in its class (compile-hints-classes.ts). Object methods,
 * getters, setters, constructors and declarations in blocks are left as they are.
 */
export function hintCalledFunctions(
  code: string,
  called: readonly CalledRange[],
  { moveTopLevel = false }: { moveTopLevel?: boolean } = {},
): HintedCode {
  // V8's range of a method starts at its name, before the function acorn sees; an arrow's at its parameters.
  const startsByEnd = new Map<number, number[]>();
  for (const range of called) startsByEnd.set(range.end, [...(startsByEnd.get(range.end) ?? []), range.start]);
  const wasCalled = (fn: AstNode) => (startsByEnd.get(fn.end) ?? []).some((s) => s <= fn.start && fn.start - s < 256);

  const program = parse(code, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as AstNode;
  const edits: Edit[] = [];
  const hinted = { expressions: 0, arrows: 0, declarations: 0, methods: 0 };
  const assigned = new Map<AstNode, Set<string>>();
  // The methods' helper is declared under a name of its own: a file that has it already keeps its methods.
  const hintMethods = !code.includes(METHODS_HELPER);

  const visit = (node: AstNode, parent: AstNode | undefined, grandparent: AstNode | undefined) => {
    if (isFunction(node) && wasCalled(node)) hint(node, parent, grandparent);
    if (hintMethods && (node.type === 'ClassDeclaration' || node.type === 'ClassExpression')) {
      const plan = classMethodHints(node, wasCalled);
      if (plan)
        edits.push({ start: plan.block.at, end: plan.block.at, parts: plan.block.parts, kind: 0, key: node.start });
      for (const { start, end, fn } of plan?.removed ?? [])
        edits.push({ start, end, text: '', owner: fn, kind: 2, key: start });
      hinted.methods += plan?.removed.length ?? 0;
    }
    for (const child of children(node)) visit(child, node, parent);
  };
  const hint = (fn: AstNode, parent: AstNode | undefined, grandparent: AstNode | undefined) => {
    const isMethod =
      parent?.type === 'MethodDefinition' ||
      (parent?.type === 'Property' && (parent.method === true || parent.kind !== 'init'));
    if (isMethod) return;
    if (fn.type === 'FunctionExpression') {
      if (code[fn.start - 1] === '(' && code[fn.end] === ')') return;
      edits.push({ start: fn.start, end: fn.start, text: '(', kind: 2, key: fn.start });
      edits.push({ start: fn.end, end: fn.end, text: ')', kind: 1, key: -fn.start });
      hinted.expressions += 1;
    } else if (fn.type === 'ArrowFunctionExpression') {
      const params = fn.params as AstNode[];
      // The parameters are copied as text: ones holding a function (a default value) would hold edits of their own.
      if (readsEnclosingThis(fn) || params.some(containsFunction)) return;
      const paramsEnd = params.length > 0 ? params[params.length - 1]!.end : fn.start;
      const arrow = code.indexOf('=>', paramsEnd);
      const paramsStart = fn.async ? fn.start + 'async'.length : fn.start;
      let paramText = code.slice(paramsStart, arrow).trim();
      if (!paramText.startsWith('(')) paramText = `(${paramText})`;
      const head = `(${fn.async ? 'async ' : ''}function${paramText}`;
      const body = fn.body as AstNode;
      if (fn.expression) {
        // In parentheses: a body on the next line would otherwise end the return statement there.
        edits.push({ start: fn.start, end: arrow + 2, text: `${head}{return(`, kind: 2, key: fn.start });
        edits.push({ start: fn.end, end: fn.end, text: ')})', kind: 1, key: -fn.start });
      } else {
        edits.push({ start: fn.start, end: body.start, text: head, kind: 2, key: fn.start });
        edits.push({ start: fn.end, end: fn.end, text: ')', kind: 1, key: -fn.start });
      }
      hinted.arrows += 1;
    } else if (fn.type === 'FunctionDeclaration') {
      const scope = parent;
      const inFunctionBody = scope?.type === 'BlockStatement' && grandparent !== undefined && isFunction(grandparent);
      const atTopLevel = scope?.type === 'Program' && moveTopLevel;
      if (!scope || !(inFunctionBody || atTopLevel)) return;
      const name = (fn.id as AstNode).name as string;
      if (!assigned.has(scope)) assigned.set(scope, assignedNames(scope));
      if (assigned.get(scope)!.has(name)) return;
      const statements = scope.body as AstNode[];
      let first = 0;
      while (statements[first]?.directive !== undefined || statements[first]?.type === 'ImportDeclaration') first += 1;
      const at = first > 0 ? statements[first - 1]!.end : scope.type === 'Program' ? 0 : scope.start + 1;
      const parts = [`var ${(fn.id as AstNode).name as string}=(`, fn, ');'];
      edits.push({ start: at, end: at, parts, owner: fn, kind: 0, key: fn.start });
      edits.push({ start: fn.start, end: fn.end, text: '', owner: fn, kind: 2, key: fn.start });
      hinted.declarations += 1;
    }
  };
  const containsFunction = (node: AstNode): boolean => isFunction(node) || children(node).some(containsFunction);
  visit(program, undefined, undefined);
  if (hinted.methods > 0) {
    // After the last statement and whatever closes there (before the source map's comment); a declaration, so
    // hoisted to the file's top.
    const at = (program.body as AstNode[]).at(-1)!.end;
    edits.push({ start: at, end: at, text: METHODS_HELPER_CODE, kind: 2, key: Number.MAX_SAFE_INTEGER });
  }

  // At one offset, insertions before replacements, and insertions by kind and key.
  edits.sort((a, b) => a.start - b.start || a.end - a.start - (b.end - b.start) || a.kind - b.kind || a.key - b.key);
  let out = '';
  const spans: Span[] = [];
  const render = (start: number, end: number, self?: AstNode) => {
    let position = start;
    for (const edit of edits) {
      if (edit.start < position || edit.end > end || edit.start > end) continue;
      // A declaration's own move and removal are not part of it, nor are the moves to where it starts (its body's top).
      if (self && (edit.owner === self || (edit.parts && edit.start === start))) continue;
      if (edit.start > position) spans.push({ from: position, to: edit.start, at: out.length });
      out += code.slice(position, edit.start);
      if (edit.parts) {
        // After a statement without its semicolon (a directive, ASI), a moved declaration needs one first.
        if (edit.owner && !/[;{}\s]/.test(code[edit.start - 1] ?? ';')) out += ';';
        for (const part of edit.parts) {
          if (typeof part === 'string') out += part;
          else render(part.start, part.end, part);
        }
      } else {
        // A replaced arrow head maps to the start of the function that replaces it.
        if (edit.end > edit.start && edit.text) spans.push({ from: edit.start, to: edit.start + 1, at: out.length });
        out += edit.text ?? '';
      }
      position = edit.end;
    }
    if (end > position) spans.push({ from: position, to: end, at: out.length });
    out += code.slice(position, end);
  };
  render(0, code.length);
  return { code: out, spans, hinted };
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function decodeMappings(mappings: string): number[][][] {
  const lines: number[][][] = [];
  const state = [0, 0, 0, 0, 0];
  for (const line of mappings.split(';')) {
    const segments: number[][] = [];
    state[0] = 0;
    for (const text of line.split(',')) {
      if (!text) continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of text) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      const segment = fields.map((delta, i) => (state[i] = state[i]! + delta));
      segments.push(segment);
    }
    lines.push(segments);
  }
  return lines;
}

function encodeMappings(lines: number[][][]): string {
  const state = [0, 0, 0, 0, 0];
  const vlq = (value: number) => {
    let rest = value < 0 ? (-value << 1) | 1 : value << 1;
    let text = '';
    do {
      let digit = rest & 31;
      rest >>>= 5;
      if (rest > 0) digit |= 32;
      text += BASE64[digit];
    } while (rest > 0);
    return text;
  };
  return lines
    .map((segments) => {
      state[0] = 0;
      return segments
        .map((segment) =>
          segment
            .map((field, i) => {
              const delta = field - state[i]!;
              state[i] = field;
              return vlq(delta);
            })
            .join(''),
        )
        .join(',');
    })
    .join(';');
}

const lineStarts = (text: string) => {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
};

/** The source map of `before` (esbuild's), moved to the same code after `hintCalledFunctions` changed it. */
export function remapSourceMap(map: { mappings: string }, before: string, after: HintedCode): { mappings: string } {
  const oldStarts = lineStarts(before);
  const newStarts = lineStarts(after.code);
  const spans = [...after.spans].sort((a, b) => a.from - b.from);
  const moved = (offset: number) => {
    let low = 0;
    let high = spans.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const span = spans[middle]!;
      if (offset < span.from) high = middle - 1;
      else if (offset >= span.to) low = middle + 1;
      else return span.at + offset - span.from;
    }
    return undefined;
  };
  const lines: number[][][] = newStarts.map(() => []);
  decodeMappings(map.mappings).forEach((segments, line) => {
    for (const segment of segments) {
      const offset = moved(oldStarts[line]! + segment[0]!);
      if (offset === undefined) continue;
      let newLine = 0;
      let high = newStarts.length - 1;
      while (newLine < high) {
        const middle = (newLine + high + 1) >> 1;
        if (newStarts[middle]! <= offset) newLine = middle;
        else high = middle - 1;
      }
      lines[newLine]!.push([offset - newStarts[newLine]!, ...segment.slice(1)]);
    }
  });
  for (const segments of lines) segments.sort((a, b) => a[0]! - b[0]!);
  return { ...map, mappings: encodeMappings(lines) };
}

/**
 * The output files (absolute paths) in a cycle of static imports. Elsewhere a file's module-level declarations may
 * move to the top of its code: every file it imports has run before it, and every file importing it runs after it,
 * so none can call one of its functions before its code begins.
 */
export function filesInImportCycles(metafile: Metafile, workingDir: string): Set<string> {
  const edges = new Map<string, string[]>();
  for (const [output, { imports }] of Object.entries(metafile.outputs)) {
    edges.set(
      resolve(workingDir, output),
      imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => resolve(workingDir, i.path)),
    );
  }
  const inCycle = new Set<string>();
  for (const start of edges.keys()) {
    // Whether `start` reaches itself.
    const seen = new Set<string>();
    const stack = [...(edges.get(start) ?? [])];
    while (stack.length > 0) {
      const file = stack.pop()!;
      if (file === start) {
        inCycle.add(start);
        break;
      }
      if (seen.has(file)) continue;
      seen.add(file);
      stack.push(...(edges.get(file) ?? []));
    }
  }
  return inCycle;
}

/**
 * Trains the bundle of the function `name` whose entry is `entry` and puts the functions its cold start calls in the
 * eagerly compiled form, in each ES module file the training run loaded, and moves each file's source map along.
 */
export async function hintBundle(
  entry: string,
  metafile: Metafile,
  workingDir: string,
  name: Parameters<typeof calledAtColdStart>[1] = 'api',
): Promise<Record<string, HintedCode['hinted']>> {
  const outDir = dirname(entry);
  const inCycle = filesInImportCycles(metafile, workingDir);
  const hinted: Record<string, HintedCode['hinted']> = {};
  for (const [url, called] of await calledAtColdStart(entry, name)) {
    if (!url.startsWith('file:') || !url.endsWith('.mjs')) continue;
    const file = fileURLToPath(url);
    if (relative(outDir, file).startsWith('..')) continue;
    const before = await readFile(file, 'utf8');
    const after = hintCalledFunctions(before, called, { moveTopLevel: !inCycle.has(file) });
    const map = JSON.parse(await readFile(`${file}.map`, 'utf8')) as { mappings: string };
    await writeFile(file, after.code);
    await writeFile(`${file}.map`, JSON.stringify(remapSourceMap(map, before, after)));
    hinted[relative(outDir, file)] = after.hinted;
  }
  return hinted;
}
