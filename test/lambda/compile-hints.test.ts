import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'acorn';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeMappings,
  filesInImportCycles,
  hintCalledFunctions,
  remapSourceMap,
  type CalledRange,
} from '../../scripts/compile-hints.js';

/*
 * The API bundle's eager-compile hints (scripts/compile-hints.ts) change when V8 compiles a function, never what it
 * does: a module of the forms the bundle holds answers the same with every function hinted, the forms that must stay
 * (methods, arrows reading `this`, declarations in blocks or reassigned) stay, and the moved source map still points
 * each piece of code at its source.
 */
const MODULE = `
'use strict';
export const log = [];
// Called before its declaration: declarations are hoisted, and so must the moved ones be.
log.push(early(2));
function early(n) { return helper(n) * 10; }
function helper(n) { 'use strict'; return inner(n); function inner(m) { return m + 1; } }
function noSemicolon() { 'use strict'
  return later(); function later() { return 'later'; } }
function pair() {function first() { return second(); } function second() { return 'second'; } return first(); }
function reassigned() { return 'first'; }
reassigned = () => 'second';
log.push(reassigned());
if (log.length > 0) { function inBlock() { return 'block'; } log.push(inBlock()); }
const arrow = (a, b = 2) => a + b;
const nextLine = (a) =>
  a + 1;
const single = x => x * 2;
const object = () => ({ kind: 'object' });
const sequence = () => (log.push('side'), 'value');
const curried = a => b => a * b;
const asyncArrow = async (x) => { await null; return x + 1; };
const destructured = ({ a, b: [c] }, ...rest) => a + c + rest.length;
const expression = function (n) { return n - 1; };
const named = function fact(n) { return n <= 1 ? 1 : n * fact(n - 1); };
class Counter {
  count = 0;
  add = () => { this.count += 1; return this; };
  static make() { return new Counter(); }
  get twice() { return this.count * 2; }
}
const holder = { value: 5, get() { return this.value; }, arrowThis: function () { return [1].map(() => this.value)[0]; } };
function usesArguments() { return [...arguments].map((x) => x + 1); }
function outer() { const seeThis = () => this; return seeThis(); }
log.push(arrow(1), single(3), object().kind, sequence(), curried(3)(4), await asyncArrow(1), destructured({ a: 1, b: [2] }, 3, 4));
log.push(expression(5), named(5), Counter.make().add().add().twice, holder.get(), holder.arrowThis(), usesArguments(1, 2));
log.push(nextLine(1), noSemicolon(), pair(), outer.call('me'), early.name, helper.length, arrow.name, typeof inner);
log.push([3, 1, 2].sort((a, b) => a - b).join(), String(new Error('trace').stack.split('\\n').length > 1));
`;

interface Fn {
  type: string;
  start: number;
  end: number;
}

/** Every function of `code`, as if the training run had called them all (V8's ranges start where acorn's do). */
function allFunctions(code: string): CalledRange[] {
  const found: CalledRange[] = [];
  const visit = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    const fn = node as Fn;
    if (/Function/.test(String(fn.type))) found.push({ start: fn.start, end: fn.end });
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else visit(value);
    }
  };
  visit(parse(code, { ecmaVersion: 'latest', sourceType: 'module' }));
  return found;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'compile-hints-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function evaluate(code: string, name: string): Promise<unknown[]> {
  const file = join(dir, name);
  await writeFile(file, code);
  const { log } = (await import(pathToFileURL(file).href)) as { log: unknown[] };
  return log;
}

/*
 * Class methods the hints move into a static block (compile-hints-classes.ts), beside the ones that must stay: what
 * the classes answer, and how their methods are defined, must not change.
 */
const CLASSES = `
export const log = [];
class Base { greet() { return 'base ' + this.name; } }
class Point extends Base {
  #secret = 7;
  static made = Point.make(1, 2).sum();
  static make(x, y) { return new Point(x, y); }
  constructor(x, y) { super(); this.x = x; this.y = y; this.name = 'point'; }
  sum() { return this.x + this.y + this.#secret; }
  greet() { return super.greet() + '!'; }
  get norm() { return Math.hypot(this.x, this.y); }
  *items() { yield this.x; yield this.y; }
  async later() { await null; return this.sum(); }
  args() { return arguments.length + [...arguments].length; }
  self() { return Point; }
  'quoted-name'() { return 'quoted'; }
  delete() { return 'reserved word'; }
  #hidden() { return this.#secret * 2; }
  reveal() { return this.#hidden(); }
  [Symbol.iterator]() { return this.items(); }
}
var Named = class Inner { who() { return Inner.name + ':' + typeof Named; } };
const key = 'dup';
class Collide { dup() { return 'method'; } [key]() { return 'computed'; } after() { return 'after'; } }
class Twice { twice() { return 1; } twice() { return 2; } }
const p = new Point(3, 4);
const describe = (o, k) =>
  JSON.stringify(Object.getOwnPropertyDescriptor(o, k), (_, v) => (typeof v === 'function' ? v.name : v));
log.push(Point.made, p.sum(), p.greet(), p.norm, [...p.items()], await p.later(), p.args(1, 2, 3), p.self() === Point);
log.push(p['quoted-name'](), p.delete(), p.reveal(), [...p], Named.name, new Named().who(), new Collide().dup());
log.push(new Collide().after(), new Twice().twice(), Object.keys(Point.prototype), Object.keys(Point), Object.keys(p));
log.push(describe(Point.prototype, 'sum'), describe(Point, 'make'), describe(Point.prototype, 'norm'));
log.push(p instanceof Point, p instanceof Base, Point.make.name, Point.prototype.later.name, Point.name);
log.push(Object.getOwnPropertyNames(Point.prototype).sort(), Object.getOwnPropertyNames(Point).sort());
log.push(Object.getPrototypeOf(p.items()) === Object.getPrototypeOf(Point.prototype.items.call(p)));
`;

describe('eager-compile hints', () => {
  it('move the class methods that need not be methods, and the classes answer as they did', async () => {
    const hinted = hintCalledFunctions(CLASSES, allFunctions(CLASSES), { moveTopLevel: true });
    expect(await evaluate(hinted.code, 'classes-hinted.mjs')).toEqual(await evaluate(CLASSES, 'classes-plain.mjs'));
    // Moved: Base's greet; make, sum, items, later, args, self, quoted-name, delete, reveal; who; dup, after.
    expect(hinted.hinted.methods).toBe(13);
    for (const stays of [
      "greet() { return super.greet() + '!'; }",
      'get norm() {',
      'constructor(x, y) {',
      '#hidden() {',
      '[Symbol.iterator]() {',
      'class Twice { twice() { return 1; } twice() { return 2; } }',
    ])
      expect(hinted.code).toContain(stays);
    expect(hinted.code).toContain(
      'class Point extends Base {static{__compileHintMethods(this.prototype,{"sum":(function',
    );
    expect(hinted.code).toContain('"items":(function*() {');
    expect(hinted.code).toContain('"later":(async function() {');
    // The method defined before a computed key that may name it yields to that key, as in the class.
    expect(hinted.code).toContain('"after":(function() {');
    expect(hinted.code).toContain('},["dup"])');
    expect(hinted.code.match(/function __compileHintMethods\(/g)).toHaveLength(1);
  });

  it('leave the methods of a file that already declares the helper', () => {
    const code = 'class A { m() { return 1; } }\nfunction __compileHintMethods() {}\n';
    expect(hintCalledFunctions(code, allFunctions(code)).hinted.methods).toBe(0);
  });

  it('answer as the module did, with every function the forms allow hinted', async () => {
    const hinted = hintCalledFunctions(MODULE, allFunctions(MODULE), { moveTopLevel: true });
    expect(await evaluate(hinted.code, 'hinted.mjs')).toEqual(await evaluate(MODULE, 'plain.mjs'));
    expect(hinted.hinted.declarations).toBeGreaterThanOrEqual(4);
    expect(hinted.hinted.arrows).toBeGreaterThanOrEqual(8);
    expect(hinted.hinted.expressions).toBeGreaterThanOrEqual(2);
    // Moved to the top of their bodies, after the directives; a reassigned one and one in a block stay.
    expect(hinted.code).toMatch(/^\n'use strict';var early=\(function early\(n\)/);
    expect(hinted.code).toContain(`{ 'use strict';var inner=(function inner(m)`);
    expect(hinted.code).toContain(`{ 'use strict';var later=(function later()`);
    expect(hinted.code).toContain('function reassigned() {');
    expect(hinted.code).toContain("{ function inBlock() { return 'block'; }");
    // Arrows that read `this` or `arguments`, getters and object methods stay as they were; class methods move.
    expect(hinted.code).toContain('add = () => { this.count += 1; return this; }');
    expect(hinted.code).toContain('const seeThis = () => this;');
    expect(hinted.code).toContain('get twice() {');
    expect(hinted.code).toContain('get() { return this.value; }');
    expect(hinted.code).toContain('class Counter {static{__compileHintMethods(this,{"make":(function() {');
    expect(hinted.code).toContain('(function(a, b = 2){return( a + b)})');
    expect(hinted.code).toContain("(function(){return( ({ kind: 'object' }))})");
    expect(hinted.code).toContain('(function(a){return( (function(b){return( a * b)}))})');
  });

  it('leave a function the training run did not call as it is', () => {
    const code = 'export const f = (x) => x + 1;\nexport function g() { return 1; }\n';
    expect(hintCalledFunctions(code, [], { moveTopLevel: true }).code).toBe(code);
  });

  it('move module-level declarations only where asked to', () => {
    const code = 'g();\nfunction g() { return 1; }\n';
    expect(hintCalledFunctions(code, allFunctions(code)).code).toBe(code);
    expect(hintCalledFunctions(code, allFunctions(code), { moveTopLevel: true }).code).toBe(
      'var g=(function g() { return 1; });g();\n\n',
    );
  });

  it('move module-level declarations of no output file in a cycle of static imports', () => {
    const output = (...imports: string[]) => ({
      bytes: 1,
      inputs: {},
      exports: [],
      imports: imports.map((path) => ({ path, kind: 'import-statement' as const })),
    });
    const metafile = {
      inputs: {},
      outputs: {
        'out/index.mjs': output('out/chunks/a.mjs', 'out/chunks/c.mjs'),
        'out/chunks/a.mjs': output('out/chunks/b.mjs'),
        'out/chunks/b.mjs': output('out/chunks/a.mjs'),
        'out/chunks/c.mjs': output('out/chunks/b.mjs'),
      },
    };
    expect([...filesInImportCycles(metafile, '/build')].sort()).toEqual([
      '/build/out/chunks/a.mjs',
      '/build/out/chunks/b.mjs',
    ]);
  });

  it('keep the source map pointing each piece of code at its source', async () => {
    const source = join(dir, 'source.ts');
    await writeFile(
      source,
      [
        'export function run(n: number): number {',
        '  return steps.map((step) => step(n)).reduce((a, b) => a + b, 0);',
        '}',
        'const steps = [(n: number) => n + 1, function double(n: number) { return n * 2; }];',
        'export function fail(): never {',
        '  throw new Error("from fail");',
        '}',
        'run(1);',
      ].join('\n'),
    );
    await build({
      entryPoints: [source],
      outfile: join(dir, 'out.mjs'),
      bundle: true,
      format: 'esm',
      minify: true,
      sourcemap: true,
      logLevel: 'silent',
    });
    const before = await readFile(join(dir, 'out.mjs'), 'utf8');
    const map = JSON.parse(await readFile(join(dir, 'out.mjs.map'), 'utf8')) as { mappings: string };
    const after = hintCalledFunctions(before, allFunctions(before), { moveTopLevel: true });
    expect(after.hinted.declarations + after.hinted.arrows).toBeGreaterThan(3);
    const moved = remapSourceMap(map, before, after);

    // Each mapped position of the new code holds what the old one held, mapped to the same source position.
    const text = (code: string, lines: number[][][]) =>
      lines.flatMap((segments, line) =>
        segments.map((segment) => {
          const offset = code.split('\n').slice(0, line).join('\n').length + (line > 0 ? 1 : 0) + segment[0]!;
          return `${segment.slice(1).join(':')} ${code[offset]}`;
        }),
      );
    const oldSegments = new Set(text(before, decodeMappings(map.mappings)));
    const newSegments = text(after.code, decodeMappings(moved.mappings));
    expect(newSegments.length).toBeGreaterThan(oldSegments.size * 0.8);
    const unmatched = newSegments.filter((segment) => !oldSegments.has(segment));
    // Only where an arrow's head became a function's does the code there differ.
    expect(unmatched.filter((segment) => !segment.endsWith(' ('))).toEqual([]);

    // And a stack trace through the moved code names the source line.
    await writeFile(join(dir, 'out.mjs'), after.code);
    await writeFile(join(dir, 'out.mjs.map'), JSON.stringify(moved));
    await writeFile(
      join(dir, 'throw.mjs'),
      "import { fail } from './out.mjs';\ntry { fail(); } catch (error) { console.log(error.stack); }\n",
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--enable-source-maps', join(dir, 'throw.mjs')]);
    expect(stdout).toMatch(/source\.ts:6:\d+/);
  });
});
