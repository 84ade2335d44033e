import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileApiSchemas } from './api-app-at-build.js';

/**
 * Builds the HTTP API as the Lambda function does (same routes and response schemas; the use cases are never called)
 * and has fast-json-stringify generate every response serializer as standalone code. Each distinct one is written to
 * `dir` as a CommonJS file; the returned module maps each serializer's key to a function that loads it, so a bundle
 * parses them all but evaluates only those a request uses. Fastify's 404, error and framework answers need none.
 */
export async function precompileApiSerializers(
  dir: string,
  /** The expression that loads a generated file at run time; default a require() the bundler follows. */
  load: (file: string) => string = (file) => `require(${JSON.stringify(`./${file}`)})`,
): Promise<string> {
  const generated: [key: string, code: string][] = [];
  await compileApiSchemas({ serializers: { store: (key, code) => generated.push([key, code]) } });
  // Routes share schemas (every problem response, a GET and its HEAD): one file per distinct serializer.
  const files = new Map<string, string>();
  for (const [, code] of generated) if (!files.has(code)) files.set(code, `serializer-${files.size}.cjs`);
  await Promise.all([...files].map(([code, file]) => writeFile(join(dir, file), code)));
  const entries = generated.map(([key, code]) => `  ${JSON.stringify(key)}: () => ${load(files.get(code)!)},`);
  // An ES module (it stands in for one); esbuild bundles the require() calls, each evaluated when first called.
  return `export const precompiledSerializers = {\n${entries.join('\n')}\n};\n`;
}
