// Eager-compile hints for class methods (compile-hints.ts). V8 has no hint for a method: only a function expression in
// parentheses is compiled with the code around it. So a method the training run called, and that need not be a
// method (it names no `super`), is defined by a static block put first in its class instead:
// `class { m() {...} }` -> `class { static { __compileHintMethods(this.prototype, { m: (function () {...}) }) } }`.
// Inside the class body, the function still sees the class's private names and its inner name; it is defined as the
// method was (non-enumerable, writable, configurable, named after its key) before any static field or block runs,
// with the same `this`, arguments and body. V8 compiles a static block's code with the class (checked with
// `--log-function-events` on Node 20 and 22): the function is compiled there, not pre-parsed and parsed again.

import type { AstNode } from './compile-hints-ast.js';
import { children } from './compile-hints-ast.js';

/** The helper each file with a moved method gets, once, at its end (a declaration: hoisted, there before any class). */
export const METHODS_HELPER = '__compileHintMethods';
// `kept`: methods a computed key defined after them in the class may have replaced; then that definition stays.
export const METHODS_HELPER_CODE =
  `\nfunction ${METHODS_HELPER}(target,methods,kept){for(const key of Object.keys(methods))` +
  'if(!(kept&&kept.includes(key)&&Object.hasOwn(target,key)))' +
  'Object.defineProperty(target,key,{value:methods[key],writable:true,enumerable:false,configurable:true})}';

/** A class's called methods moved into a static block: the block's text and functions, and what is taken out. */
export interface ClassHint {
  /** Where the static block goes (the start of the class body), as text and the functions rendered there. */
  block: { at: number; parts: (string | AstNode)[] };
  /** The method definitions taken out of the class body, each with its function. */
  removed: { start: number; end: number; fn: AstNode }[];
}

const contains = (node: AstNode, test: (node: AstNode) => boolean): boolean =>
  test(node) || children(node).some((child) => contains(child, test));

/** A computed key that is a well-known symbol (`[Symbol.iterator]`): it cannot equal the name of a moved method. */
const isSymbolKey = (key: AstNode) =>
  key.type === 'MemberExpression' &&
  (key.object as AstNode).type === 'Identifier' &&
  (key.object as AstNode).name === 'Symbol' &&
  key.computed === false;

/** The key of a member as the property name it defines, or undefined when computed or not a plain name. */
function keyName(member: AstNode): string | undefined {
  const key = member.key as AstNode;
  if (member.computed === true) return undefined;
  if (key.type === 'Identifier') return key.name as string;
  if (key.type === 'Literal' && typeof key.value === 'string') return key.value;
  return undefined;
}

/**
 * The methods of `cls` the training called that can move into a static block, or undefined when none can. A method
 * moves when it is a plain method (not a getter, setter, constructor or private method) with a plain name other than
 * `__proto__`, defined once in its class, whose code names no `super` (a function expression has none). A method
 * whose name a computed key defined after it in the class could be (not a well-known symbol) is defined only when
 * that key was not its name: the later definition stays, as in the class.
 */
export function classMethodHints(cls: AstNode, wasCalled: (fn: AstNode) => boolean): ClassHint | undefined {
  const members = (cls.body as AstNode).body as AstNode[];
  const side = (member: AstNode) => (member.static === true ? 'static ' : '');
  const counts = new Map<string, number>();
  for (const member of members) {
    const key = `${side(member)}${keyName(member) ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const movable = members.filter((member) => {
    const key = keyName(member);
    return (
      member.type === 'MethodDefinition' &&
      member.kind === 'method' &&
      key !== undefined &&
      key !== '__proto__' &&
      counts.get(`${side(member)}${key}`) === 1 &&
      wasCalled(member.value as AstNode) &&
      !contains(member.value as AstNode, (node) => node.type === 'Super')
    );
  });
  if (movable.length === 0) return undefined;

  const parts: (string | AstNode)[] = ['static{'];
  for (const statics of [false, true]) {
    const group = movable.filter((member) => (member.static === true) === statics);
    if (group.length === 0) continue;
    parts.push(`${parts.length > 1 ? ';' : ''}${METHODS_HELPER}(this${statics ? '' : '.prototype'},{`);
    const kept: string[] = [];
    group.forEach((member, index) => {
      const fn = member.value as AstNode;
      const head = `${fn.async === true ? 'async ' : ''}function${fn.generator === true ? '*' : ''}`;
      parts.push(`${index > 0 ? ',' : ''}${JSON.stringify(keyName(member))}:(${head}`, fn, ')');
      const later = members.slice(members.indexOf(member) + 1);
      const computed = (m: AstNode) =>
        m.type === 'MethodDefinition' && m.computed === true && !isSymbolKey(m.key as AstNode);
      if (later.some((m) => computed(m) && side(m) === side(member))) kept.push(keyName(member)!);
    });
    parts.push(kept.length > 0 ? `},${JSON.stringify(kept)})` : '})');
  }
  parts.push('}');
  const removed = movable.map((member) => ({ start: member.start, end: member.end, fn: member.value as AstNode }));
  return { block: { at: (cls.body as AstNode).start + 1, parts }, removed };
}
