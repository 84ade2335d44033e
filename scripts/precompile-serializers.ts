import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConversationService } from '../core/conversation/conversation-service.js';
import type { SkillRegistry } from '../core/skills/skill-registry.js';
import { buildApp } from '../entrypoints/http/app.js';

const notCalled = async (): Promise<never> => {
  throw new Error('the app is only built here, never called');
};

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
  const app = await buildApp({
    handleTurn: notCalled,
    conversations: new Proxy({}, { get: () => notCalled }) as ConversationService,
    skills: { skills: [] } as unknown as SkillRegistry,
    verifier: { verify: notCalled },
    readiness: notCalled,
    maxTextLength: 1,
    logger: false,
    docs: false,
    compileSchemas: 'at-start',
    serializers: { store: (key, code) => generated.push([key, code]) },
  });
  await app.ready();
  await app.close();
  // Routes share schemas (every problem response, a GET and its HEAD): one file per distinct serializer.
  const files = new Map<string, string>();
  for (const [, code] of generated) if (!files.has(code)) files.set(code, `serializer-${files.size}.cjs`);
  await Promise.all([...files].map(([code, file]) => writeFile(join(dir, file), code)));
  const entries = generated.map(([key, code]) => `  ${JSON.stringify(key)}: () => ${load(files.get(code)!)},`);
  // An ES module (it stands in for one); esbuild bundles the require() calls, each evaluated when first called.
  return `export const precompiledSerializers = {\n${entries.join('\n')}\n};\n`;
}
