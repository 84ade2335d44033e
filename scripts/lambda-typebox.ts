/*
 * TypeBox off the Lambda API's cold path. The route and configuration schemas are still built by TypeBox's builders
 * (a few KB of it), but its value and compile modules (~100 KB: the type engine, the value codecs, the compiler) are
 * a side library, lib/typebox.cjs, required on first use: by a route's validator the first time it refuses a value
 * (its checks are generated too, scripts/precompile-validators.ts), or by a configuration that needs more than the fast
 * path (a list of errors, a conversion it cannot tell).
 * The configuration's own schemas get their checks generated here, with TypeBox's `Code` (its standalone validation
 * code), and their defaults as literals: what Value.Check and Value.Default compute for them.
 * test/lambda/typebox-on-first-use.test.ts holds the generated code to TypeBox's answers.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { TSchema } from 'typebox';
import { Code } from 'typebox/compile';
import { schemaKey } from '../entrypoints/lambda/api/typebox-on-first-use.js';
import { SIDE_LIBRARY_DIR, sideFileOptions, sideFilePath } from './lambda-bundle-plugins.js';

const TYPEBOX_FILE = `${SIDE_LIBRARY_DIR}/typebox.cjs`;
const RUNTIME = fileURLToPath(new URL('../entrypoints/lambda/api/typebox-on-first-use.ts', import.meta.url));
/** Keywords of a property the generated defaults do not handle (a nested schema TypeBox would fill in). */
const NESTED = ['properties', 'items', 'anyOf', 'oneOf', 'allOf', 'not', 'patternProperties', '$ref', '$defs'];

/** The configuration's schemas: the assistant's variables, where stored ones are, the Lambda functions' own. */
export async function configurationSchemas(): Promise<(TSchema & { properties: Record<string, TSchema> })[]> {
  const [{ EnvSchema }, { LocationSchema }, { LambdaEnvSchema }] = await Promise.all([
    import('../entrypoints/composition/env-schema.js'),
    import('../entrypoints/composition/load-aws-config.js'),
    import('../entrypoints/lambda/shared/lambda-config.js'),
  ]);
  return [EnvSchema, LocationSchema, LambdaEnvSchema];
}

/** TypeBox's standalone check of `schema` as a function expression; `Guard` must be in scope where it lands. */
export function generatedCheck(schema: TSchema): string {
  const { External, Code: code } = Code(schema);
  for (const variable of External.variables) {
    if (!(variable instanceof RegExp)) throw new Error(`a check needing ${String(variable)}: not generated`);
  }
  const lines = code.split('\n').filter((line) => line !== '// @ts-ignore' && line !== '');
  const body = lines.filter((line) => !line.startsWith('import ') && !line.includes('SetExternal'));
  const rest = body.filter((line) => !line.startsWith(`let ${External.identifier} = `));
  if (rest.some((line) => /\b(Hashing|CheckContext)\b/.test(line)))
    throw new Error('a check needing TypeBox at run time: not generated');
  const externals = External.variables.map(
    (regexp) => `new RegExp(${JSON.stringify((regexp as RegExp).source)}, ${JSON.stringify((regexp as RegExp).flags)})`,
  );
  const functions = rest.map((line) =>
    line.replace(/^export function Check\(value\) \{/, 'return function Check(value) {'),
  );
  if (functions.filter((line) => line.startsWith('return function Check(value)')).length !== 1)
    throw new Error('unexpected TypeBox check code');
  return `(() => {\nconst ${External.identifier} = [${externals.join(', ')}];\n${functions.join('\n')}\n})()`;
}

/** Value.Default of a flat object schema: each property with a default, set where the value lacks it. */
export function generatedDefaults(schema: TSchema): string {
  const properties = (schema as { properties?: Record<string, Record<string, unknown>> }).properties;
  if ((schema as { '~kind'?: unknown })['~kind'] !== 'Object' || !properties) throw new Error('not an object schema');
  const lines: string[] = [];
  for (const [key, property] of Object.entries(properties)) {
    if (NESTED.some((keyword) => keyword in property)) throw new Error(`${key}: a nested schema`);
    if (!('default' in property)) continue;
    if (typeof property.default === 'function') throw new Error(`${key}: a default computed at run time`);
    const name = JSON.stringify(key);
    lines.push(`if (value[${name}] === undefined) value[${name}] = ${JSON.stringify(property.default)};`);
  }
  return `(value) => {\n${lines.join('\n')}\nreturn value;\n}`;
}

/** The module the API's code gets for `typebox/value`: generated checks, TypeBox itself on first use. */
export async function valueModule(loadTypeBox: string): Promise<string> {
  const entries = (await configurationSchemas()).map(
    (schema) =>
      `[${JSON.stringify(schemaKey(schema))}, { check: ${generatedCheck(schema)}, defaults: ${generatedDefaults(schema)} }]`,
  );
  return [
    "import { Guard } from 'typebox/guard';",
    `import { valueOnFirstUse } from ${JSON.stringify(RUNTIME)};`,
    `export const { Check, Convert, Default, Errors } = valueOnFirstUse(new Map([\n${entries.join(',\n')}\n]), () => (${loadTypeBox}).value);`,
  ].join('\n');
}

const loadTypeBox = `require(${sideFilePath(TYPEBOX_FILE)})`;

/** `typebox/value` and `typebox/compile`, imported by the API's own code, resolved to the stand-ins above. */
export const typeBoxOnFirstUse: Plugin = {
  name: 'typebox-on-first-use',
  setup(build) {
    build.onResolve({ filter: /^typebox\/(value|compile)$/ }, ({ path, importer, namespace }) =>
      namespace === 'file' && !/[\\/]node_modules[\\/]/.test(importer)
        ? { path, namespace: 'typebox-on-first-use' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'typebox-on-first-use' }, async ({ path }) => ({
      contents:
        path === 'typebox/value'
          ? await valueModule(loadTypeBox)
          : `export function Compile(...args) { return ${loadTypeBox}.compile.Compile(...args); }`,
      loader: 'js',
      resolveDir: fileURLToPath(new URL('..', import.meta.url)),
    }));
  },
};

/** lib/typebox.cjs: TypeBox's value and compile modules, one CommonJS file beside the entry. */
export async function buildTypeBoxLibrary(outDir: string, minify: boolean): Promise<void> {
  await build({
    stdin: {
      contents: "export * as value from 'typebox/value';\nexport * as compile from 'typebox/compile';\n",
      resolveDir: fileURLToPath(new URL('..', import.meta.url)),
      loader: 'js',
    },
    outfile: join(outDir, TYPEBOX_FILE),
    ...sideFileOptions(minify),
    mainFields: ['module', 'main'],
  });
}
