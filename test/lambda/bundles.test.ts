import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENTRY_FILE,
  forbiddenInputs,
  GAZETTEER_DATA_FILE,
  LAMBDA_FUNCTIONS,
  NEVER_BUNDLED,
  type LambdaFunctionName,
} from '../../scripts/bundle-lambda.js';
import { bundleForTest } from './support/deployed-function.js';

const names = Object.keys(LAMBDA_FUNCTIONS) as LambdaFunctionName[];

/** What `npm run bundle` produces, read from esbuild's metafile: what is in each function and what must never be. */
describe.each(names)('the %s bundle', (name) => {
  let bundle: Awaited<ReturnType<typeof bundleForTest>>;
  beforeAll(async () => {
    bundle = await bundleForTest(name);
  }, 60_000);
  afterAll(async () => {
    await bundle?.remove();
  });

  const inputs = () => Object.keys(bundle.metafile.inputs);
  const outputs = () => Object.entries(bundle.metafile.outputs);

  it('leaves out the optional native and GPL dependencies (SQLite, eSpeak) and everything built on them', () => {
    expect(forbiddenInputs(bundle.metafile)).toEqual([]);
    expect(inputs().some((input) => input.includes('adapters/local/'))).toBe(name !== 'events');
  });

  it('is judged by a check that would see them: the needles match the modules they stand for', () => {
    const probe = {
      inputs: { 'node_modules/better-sqlite3/lib/index.js': {}, 'adapters/local/espeak-speech-synthesizer.ts': {} },
      outputs: {},
    };
    expect(forbiddenInputs(probe as never, NEVER_BUNDLED)).toHaveLength(2);
  });

  it("carries its own AWS SDK instead of the runtime's", () => {
    const sdk = name === 'events' ? '@aws-sdk/client-sns' : '@aws-sdk/client-dynamodb';
    expect(inputs().some((input) => input.includes(`node_modules/${sdk}/`))).toBe(true);
    expect(
      outputs().every(([, output]) => !output.imports.some((i) => i.external && i.path.startsWith('@aws-sdk/'))),
    ).toBe(true);
  });

  it('is one ESM entry with source maps, the SDK clients in chunks loaded on first use', () => {
    const entry = outputs().find(([path]) => path.endsWith(`/${name}/${ENTRY_FILE}`));
    expect(entry?.[1].entryPoint).toBe(LAMBDA_FUNCTIONS[name]);
    expect(existsSync(`${bundle.outDir}/${ENTRY_FILE}.map`)).toBe(true);
    if (name === 'api') {
      // The entry imports the SDK clients lazily: Bedrock and Polly are not in the entry's static closure.
      const staticClosure = new Set<string>();
      const visit = (path: string) => {
        if (staticClosure.has(path)) return;
        staticClosure.add(path);
        for (const i of bundle.metafile.outputs[path]?.imports ?? []) if (i.kind === 'import-statement') visit(i.path);
      };
      visit(entry![0]);
      const eager = [...staticClosure].flatMap((path) => Object.keys(bundle.metafile.outputs[path]?.inputs ?? {}));
      expect(eager.some((input) => input.includes('@aws-sdk/client-bedrock-runtime'))).toBe(false);
      expect(eager.some((input) => input.includes('@aws-sdk/client-polly'))).toBe(false);
      expect(inputs().some((input) => input.includes('@aws-sdk/client-bedrock-runtime'))).toBe(true);
    }
  });

  it("carries the compile hints of its cold start's training run (scripts/compile-hints.ts)", async () => {
    // esbuild's minified output has a few dozen parenthesized functions of its own (19 in the workflow's entry);
    // the hints put each function the training called in that form: hundreds in every entry.
    const entry = await readFile(join(bundle.outDir, ENTRY_FILE), 'utf8');
    expect(entry.split('(function').length - 1).toBeGreaterThan(120);
  });

  it('ships the gazetteer data beside the entry where understanding is bundled, read from there on first use', async () => {
    const shipped = existsSync(join(bundle.outDir, GAZETTEER_DATA_FILE));
    expect(shipped).toBe(name !== 'events');
    if (!shipped) return;
    // The chunk holding the gazetteer, loaded on its own from the bundle's temporary directory, where no
    // node_modules is reachable: the data must come from beside the bundle.
    const chunk = outputs().find(([, output]) =>
      Object.keys(output.inputs).some((input) => input.endsWith('adapters/local/city-gazetteer.ts')),
    );
    expect(chunk, 'a chunk of its own, imported on first use').toBeDefined();
    expect(chunk?.[0].endsWith(`/${name}/${ENTRY_FILE}`)).toBe(false);
    const chunkPath = chunk![0].slice(chunk![0].lastIndexOf(`/${name}/`) + name.length + 2);
    const script = [
      `const chunk = await import(${JSON.stringify(pathToFileURL(join(bundle.outDir, chunkPath)).href)});`,
      "const Gazetteer = Object.values(chunk).find((v) => typeof v === 'function' && typeof v.load === 'function');",
      'const gazetteer = await Gazetteer.load();',
      "console.log(JSON.stringify(gazetteer?.lookup('Valparaiso')));",
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: bundle.outDir,
    });
    expect(JSON.parse(stdout)).toMatchObject({ name: 'Valparaíso', country: 'CL' });
  });
});
