/*
 * The Lambda API's route validators, generated when the bundle is built: every schema part Fastify asks the validator
 * compiler for (params, querystring, headers, body), with TypeBox's standalone check code (`Code`, through
 * generatedCheck), keyed by schemaKey as the configuration's checks are. At run time a value its check accepts never
 * loads TypeBox's compiler; a refused one goes to TypeBox for its conversion and errors (validator-compiler.ts).
 * test/lambda/route-validators.test.ts holds the generated checks to TypeBox's Check.
 */
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import type { TSchema } from 'typebox';
import { turnBodySchema } from '../entrypoints/http/schemas.js';
import type { ValidatedPart } from '../entrypoints/http/schema-compilers.js';
import { schemaKey } from '../entrypoints/lambda/api/typebox-on-first-use.js';
import { compileApiSchemas, DEFAULT_MAX_TEXT_LENGTH } from './api-app-at-build.js';
import { generatedCheck } from './lambda-typebox.js';

const RUNTIME = fileURLToPath(new URL('../entrypoints/lambda/api/typebox-on-first-use.ts', import.meta.url));

/** One distinct schema a route validates a part of the request with, and where it is used. */
export interface RouteSchemaPart {
  key: string;
  schema: TSchema;
  /** Each route and part of the request it validates. */
  uses: { method: string; url: string; httpPart: string }[];
}

/** Every distinct schema the API's validator compiler is asked for, built as the Lambda function builds the app. */
export async function apiRouteSchemaParts(): Promise<RouteSchemaPart[]> {
  const parts = new Map<string, RouteSchemaPart>();
  const store = ({ schema, httpPart = '', method = '', url = '' }: ValidatedPart) => {
    const key = schemaKey(schema);
    const part = parts.get(key) ?? { key, schema, uses: [] };
    part.uses.push({ method, url, httpPart });
    parts.set(key, part);
  };
  await compileApiSchemas({ validators: { store } });
  // The turn body depends on MAX_TEXT_LENGTH: generated for the default, which the function's must then find.
  const turnBody = schemaKey(turnBodySchema(DEFAULT_MAX_TEXT_LENGTH));
  if (!parts.has(turnBody)) throw new Error('the turn body schema of the default text limit was not compiled');
  return [...parts.values()];
}

/** Each route schema part with its check: TypeBox's standalone code, a function expression (Guard in scope). */
export async function generatedRouteChecks(): Promise<(RouteSchemaPart & { code: string })[]> {
  return (await apiRouteSchemaParts()).map((part) => {
    try {
      return { ...part, code: generatedCheck(part.schema) };
    } catch (error) {
      const where = part.uses.map(({ method, url, httpPart }) => `${method} ${url} ${httpPart}`).join(', ');
      throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
    }
  });
}

/**
 * The module that stands in for entrypoints/lambda/api/precompiled-validators.ts: each schema's key and a function
 * that makes its check (evaluated on the route's first request), TypeBox's Guard in scope.
 */
export async function precompileApiValidators(): Promise<string> {
  const entries = (await generatedRouteChecks()).map(({ key, code }) => `  [${JSON.stringify(key)}, () => ${code}],`);
  return [
    "import { Guard } from 'typebox/guard';",
    `import { generatedChecks } from ${JSON.stringify(RUNTIME)};`,
    `export const precompiledValidators = generatedChecks(new Map([\n${entries.join('\n')}\n]));`,
  ].join('\n');
}

/*
 * The generated checks take the place of the module that otherwise says there are none. They are small and a
 * validated request needs its own at once, so they are in the bundle itself; each is made on its route's first request.
 */
const PRECOMPILED_VALIDATORS = /[\\/]entrypoints[\\/]lambda[\\/]api[\\/]precompiled-validators\.ts$/;
export const precompiledValidators: Plugin = {
  name: 'precompiled-validators',
  setup(build) {
    build.onLoad({ filter: PRECOMPILED_VALIDATORS }, async () => ({
      contents: await precompileApiValidators(),
      loader: 'js',
      resolveDir: fileURLToPath(new URL('..', import.meta.url)),
    }));
  },
};
