// The esbuild plugins and side files that keep a Lambda cold start short: dead Fastify defaults and server-only
// modules left out, builtins and rarely used CommonJS libraries required on first use, and the response serializers
// precompiled into files of their own. scripts/bundle-lambda.ts applies them; each one's share of a cold start was
// measured with a CPU profile of the bundle (docs/PERFORMANCE.md).
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { precompileApiSerializers } from './precompile-serializers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/*
 * Fastify requires its default schema compilers (Ajv for validation, fast-json-stringify for serialization) only when
 * the app brings none of its own. buildApp always brings both (entrypoints/http/schema-compilers.ts: TypeBox, and the
 * serializer compiler imported where it is used, a chunk of its own), so Fastify's own require of them is dead code in
 * a bundle: left in, it would put Ajv and its compiler in the entry file. It resolves to a module that says so if it
 * is ever reached.
 */
const FASTIFY_DEFAULT_COMPILERS = /^@fastify\/(ajv-compiler|fast-json-stringify-compiler)$/;
export const fastifyDefaultCompilersUnused: Plugin = {
  name: 'fastify-default-compilers-unused',
  setup(build) {
    build.onResolve({ filter: FASTIFY_DEFAULT_COMPILERS }, ({ path, importer }) =>
      /[\\/]fastify[\\/]lib[\\/]schema-controller\.js$/.test(importer)
        ? { path, namespace: 'fastify-default-compiler' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'fastify-default-compiler' }, ({ path }) => ({
      contents: `module.exports = () => { throw new Error(${JSON.stringify(`${path} is not bundled: buildApp gives Fastify its schema compilers`)}); };`,
      loader: 'js',
    }));
  },
};

/*
 * What buildApp imports only for options the API function never passes: the web client, the voice WebSocket, local
 * sign-in and /docs (the server's), and fast-json-stringify's compiler (the bundle brings its serializers generated).
 * Left in, each would be a lazy chunk that never loads, and the modules they share with the entry would be split off
 * it into chunks of their own: more files for a cold start to resolve, read and link. Each resolves to a module that
 * says so if it is ever imported.
 */
const API_SERVER_ONLY: { importer: RegExp; modules: RegExp }[] = [
  {
    importer: /[\\/]entrypoints[\\/]http[\\/]app\.ts$/,
    modules:
      /^(\.\/routes\/(web|voice|local-session)\.js|\.\/voice\/voice-protocol\.js|@fastify\/(websocket|swagger|swagger-ui))$/,
  },
  {
    importer: /[\\/]entrypoints[\\/]http[\\/]schema-compilers\.ts$/,
    modules: /^@fastify\/fast-json-stringify-compiler$/,
  },
];
export const serverOnlyLeftOut: Plugin = {
  name: 'server-only-left-out',
  setup(build) {
    build.onResolve({ filter: /.*/ }, ({ path, importer, kind }) =>
      kind === 'dynamic-import' &&
      API_SERVER_ONLY.some((entry) => entry.importer.test(importer) && entry.modules.test(path))
        ? { path, namespace: 'server-only' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'server-only' }, ({ path }) => ({
      contents: `throw new Error(${JSON.stringify(`${path} is not in the Lambda bundle: the function never asks for it`)});`,
      loader: 'js',
    }));
  },
};

/*
 * Fastify's server module requires node:http2, node:https and node:dns at load, for HTTP/2 and TLS servers and for
 * listen(), none of which a function behind @fastify/aws-lambda uses; loading them costs ~12 ms of a cold start on
 * Node 20 and ~25 ms on Node 22. For that module alone each resolves to a stand-in that loads the real one on first
 * use of any of its members, so nothing changes for a process that does listen.
 */
const SERVER_ONLY_BUILTINS = /^node:(http2|https|dns)$/;
export const fastifyServerBuiltinsOnDemand: Plugin = {
  name: 'fastify-server-builtins-on-demand',
  setup(build) {
    build.onResolve({ filter: SERVER_ONLY_BUILTINS }, ({ path, importer }) =>
      /[\\/]fastify[\\/]lib[\\/]server\.js$/.test(importer) ? { path, namespace: 'builtin-on-demand' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-on-demand' }, ({ path }) => ({
      contents: [
        'let loaded;',
        `const load = () => (loaded ??= require(${JSON.stringify(path)}));`,
        'module.exports = new Proxy({}, {',
        '  get: (_target, key) => load()[key],',
        '  has: (_target, key) => key in load(),',
        '  ownKeys: () => Reflect.ownKeys(load()),',
        '  getOwnPropertyDescriptor: (_target, key) => ({ ...Reflect.getOwnPropertyDescriptor(load(), key), configurable: true }),',
        '});',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/*
 * An ES module import of a builtin goes through Node's ESM facade, which on Node 22 reads every export of the builtin
 * at once: for node:http that includes its lazy WebSocket and EventSource, which load undici with TLS, HTTP/2 and zlib
 * (~20 ms of a cold start, for STATUS_CODES). A bundle requires its builtins instead, as its CommonJS dependencies
 * already do; each export is then read when used.
 */
export const builtinsRequired: Plugin = {
  name: 'builtins-required',
  setup(build) {
    // One stand-in per importing module: shared by modules of different chunks, a stand-in of a few bytes would be a
    // chunk of its own, and each file an ES module graph loads costs its resolution, read and link (~0.4 ms).
    build.onResolve({ filter: /^node:/ }, ({ path, kind, namespace, importer }) =>
      kind === 'import-statement' && namespace === 'file'
        ? { path: `${path}?from=${importer}`, namespace: 'builtin-required', pluginData: path }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-required' }, ({ pluginData }) => ({
      contents: `module.exports = require(${JSON.stringify(pluginData)});`,
      loader: 'js',
    }));
  },
};

/** How the CommonJS files loaded beside an entry on first use (side libraries, serializers) are built. */
export function sideFileOptions(minify: boolean) {
  return {
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    minify,
    sourcemap: true,
    // Stack traces need only the mappings; the sources themselves would triple the map Node parses at start.
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'warning',
  } as const;
}

/*
 * CommonJS dependencies that a cold start evaluates for nothing: each is required at the top of its importer but used
 * only in a case the API function rarely or never meets. For that importer alone each resolves to a stand-in of the
 * same shape that requires the real module on first use, so what runs, and its result, is unchanged; only when the
 * module is evaluated moves. Each one's share of a cold start was measured with a CPU profile of the bundle.
 */
/*
 * Self-contained libraries (no state shared with the rest of the bundle) that a stand-in loads from a CommonJS file of
 * their own beside the entry, `lib/<name>.cjs`: not even parsed until first used, where a module bundled into a chunk
 * is parsed whenever the chunk loads. The expression gives that file's path from whichever output file holds it.
 */
export const SIDE_LIBRARIES = ['ip-address', 'asn1.js', 'semver', '@fastify/proxy-addr', 'safe-regex2'] as const;
export const SIDE_LIBRARY_DIR = 'lib';
const sideLibraryFile = (name: string) => `${SIDE_LIBRARY_DIR}/${name.replace('/', '+')}.cjs`;
export const sideFilePath = (file: string) =>
  `require('node:path').join(__dirname, __dirname.endsWith('chunks') ? '..' : '.', ${JSON.stringify(file)})`;
const sideLibraryPath = (name: (typeof SIDE_LIBRARIES)[number]) => sideFilePath(sideLibraryFile(name));
/** The generated response serializers, each a file of its own there too: a request loads the one it answers with. */
const SERIALIZER_DIR = `${SIDE_LIBRARY_DIR}/serializers`;

export async function buildSideLibraries(outDir: string, minify: boolean): Promise<void> {
  const resolveFrom = createRequire(import.meta.url);
  await Promise.all(
    SIDE_LIBRARIES.map((name) =>
      build({
        absWorkingDir: root,
        entryPoints: [resolveFrom.resolve(name)],
        outfile: join(outDir, sideLibraryFile(name)),
        ...sideFileOptions(minify),
      }),
    ),
  );
}

const lazyFunction = (module: string) =>
  [
    'let loaded;',
    `const load = () => (loaded ??= require(${JSON.stringify(module)}));`,
    'module.exports = function (...args) {',
    '  const real = load();',
    '  const fn = typeof real === "function" ? real : real.default;',
    '  return new.target ? Reflect.construct(fn, args, new.target) : fn.apply(this, args);',
    '};',
  ].join('\n');
const ON_FIRST_USE: { importer: RegExp; module: string; contents: string }[] = [
  // Fastify checks each plugin's declared Fastify version with three semver functions; semver's index loads them all.
  // Every plugin of the API declares `5.x`, which semver answers for a release version (no pre-release tag) by its
  // major alone; parsing the range costs ~5 ms of a cold start, so that one form is answered here, any other by semver.
  {
    importer: /[\\/]fastify[\\/]lib[\\/]plugin-utils\.js$/,
    module: 'semver',
    contents: [
      'const X_RANGE = /^(0|[1-9]\\d*)\\.x$/;',
      'const RELEASE = /^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)$/;',
      `const semver = () => require(${sideLibraryPath('semver')});`,
      'exports.gt = (...args) => semver().gt(...args);',
      'exports.coerce = (...args) => semver().coerce(...args);',
      'exports.satisfies = (version, range, options) => {',
      "  const major = typeof range === 'string' && X_RANGE.exec(range);",
      "  const release = typeof version === 'string' && RELEASE.exec(version);",
      '  if (major && release) return major[1] === release[1];',
      '  return semver().satisfies(version, range, options);',
      '};',
    ].join('\n'),
  },
  // find-my-way checks three regular expressions of its own with safe-regex2 when it loads (then only a route's regex
  // parameter, which no API route has); safe-regex2 parses each with ret (~13 KB, ~2 ms of a cold start). Those three
  // are answered here as safe-regex2 answers them (it reads a RegExp's source alone), any other by safe-regex2.
  // fast-jwt asks it only about an allowed claim given as a RegExp; the token authority gives strings.
  {
    importer: /[\\/]find-my-way[\\/]index\.js$/,
    module: 'safe-regex2',
    contents: [
      String.raw`const OWN = new Set([/(\/:[^/()]*?)\?(\/?)/, /[.*+?^${'$'}{}()|[\]\\]/g, /\/\/+/g].map((re) => re.source));`,
      `const safeRegex = () => require(${sideLibraryPath('safe-regex2')});`,
      'module.exports = (re, options) => (re instanceof RegExp && OWN.has(re.source)) || safeRegex()(re, options);',
    ].join('\n'),
  },
  {
    importer: /[\\/]fast-jwt[\\/]src[\\/]verifier\.js$/,
    module: 'safe-regex2',
    contents: `module.exports = (...args) => require(${sideLibraryPath('safe-regex2')})(...args);`,
  },
  // Fastify reads the client address through proxy-addr only when it trusts proxies; the function trusts none.
  {
    importer: /[\\/]fastify[\\/]lib[\\/]request\.js$/,
    module: '@fastify/proxy-addr',
    contents: [
      'let loaded;',
      `const load = () => (loaded ??= require(${sideLibraryPath('@fastify/proxy-addr')}));`,
      'module.exports = function proxyaddr(...args) { return load()(...args); };',
      'module.exports.all = (...args) => load().all(...args);',
      'module.exports.compile = (...args) => load().compile(...args);',
    ].join('\n'),
  },
  // pino's transports (worker threads) serve only a logger configured with `transport`; the function's writes stdout.
  { importer: /[\\/]pino[\\/](pino|lib[\\/]tools)\.js$/, module: './transport', contents: lazyFunction('./transport') },
  { importer: /[\\/]pino[\\/]pino\.js$/, module: './lib/transport', contents: lazyFunction('./lib/transport') },
  // The rate limiter's default key groups IPv6 clients by subnet; the app gives it a key of its own (user, else address).
  {
    importer: /[\\/]@fastify[\\/]rate-limit[\\/]index\.js$/,
    module: 'ip-address',
    contents: [
      'let loaded;',
      `const load = () => (loaded ??= require(${sideLibraryPath('ip-address')}));`,
      'exports.Address6 = function Address6(...args) { return new (load().Address6)(...args); };',
    ].join('\n'),
  },
  // fast-jwt describes its EC key formats with asn1.js (and bn.js) at load; an HS256 secret needs neither.
  {
    importer: /[\\/]fast-jwt[\\/]src[\\/]crypto\.js$/,
    module: 'asn1.js',
    contents: [
      'exports.define = (name, body) => {',
      '  let model;',
      `  const real = () => (model ??= require(${sideLibraryPath('asn1.js')}).define(name, body));`,
      '  return new Proxy({}, { get: (_target, key) => { const value = real()[key]; ',
      "    return typeof value === 'function' ? value.bind(real()) : value; } });",
      '};',
    ].join('\n'),
  },
];
export const requiredOnFirstUse: Plugin = {
  name: 'required-on-first-use',
  setup(build) {
    const modules = new Set(ON_FIRST_USE.map((entry) => entry.module));
    const filter = new RegExp(`^(${[...modules].map((m) => m.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, ({ path, importer, namespace }) => {
      const index = ON_FIRST_USE.findIndex((entry) => entry.module === path && entry.importer.test(importer));
      return namespace === 'file' && index >= 0
        ? { path: `${importer}#${path}`, namespace: 'on-first-use', pluginData: { index, importer } }
        : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'on-first-use' }, ({ pluginData }) => {
      const { index, importer } = pluginData as { index: number; importer: string };
      return { contents: ON_FIRST_USE[index]!.contents, loader: 'js', resolveDir: dirname(importer) };
    });
  },
};

/*
 * The API function's response serializers are generated here, from its routes, and take the place of the module that
 * otherwise says there are none: at run time the function evaluates the one each response needs, and neither
 * fast-json-stringify's code generator nor Ajv is in the bundle. Each is a CommonJS file beside the entry
 * (lib/serializers/), with fast-json-stringify's small runtime inside, required on first use: a cold start parses only
 * the one its first response needs, not the ~50 KB of them all.
 */
const PRECOMPILED_SERIALIZERS = /[\\/]entrypoints[\\/]lambda[\\/]api[\\/]precompiled-serializers\.ts$/;
export function precompiledSerializers(dir: string): Plugin {
  return {
    name: 'precompiled-serializers',
    setup(build) {
      build.onLoad({ filter: PRECOMPILED_SERIALIZERS }, async () => ({
        contents: await precompileApiSerializers(
          dir,
          (file) => `require(${sideFilePath(`${SERIALIZER_DIR}/${file}`)})`,
        ),
        loader: 'js',
        resolveDir: dir,
      }));
    },
  };
}

/*
 * The API's security headers are what helmet answers for API_HELMET_OPTIONS: static options, so helmet runs here, when
 * the bundle is built, and the module the handler reads them from carries the result (running helmet cost a cold
 * start ~2 ms CPU). test/lambda/bundles.test.ts holds the bundle's headers to helmet's answer.
 */
const PRECOMPILED_SECURITY_HEADERS = /[\\/]entrypoints[\\/]lambda[\\/]api[\\/]precompiled-security-headers\.ts$/;
export const precompiledSecurityHeaders: Plugin = {
  name: 'precompiled-security-headers',
  setup(build) {
    build.onLoad({ filter: PRECOMPILED_SECURITY_HEADERS }, async () => {
      const [{ API_HELMET_OPTIONS }, { helmetHeaders }] = await Promise.all([
        import('../entrypoints/http/app.js'),
        import('../entrypoints/http/plugins/security-headers.js'),
      ]);
      const headers = helmetHeaders(API_HELMET_OPTIONS);
      return { contents: `export const precompiledSecurityHeaders = ${JSON.stringify(headers)};\n`, loader: 'js' };
    });
  },
};

export async function buildSerializerFiles(generated: string, outDir: string, minify: boolean): Promise<void> {
  const files = (await readdir(generated)).filter((file) => file.endsWith('.cjs'));
  if (files.length === 0) return;
  await build({
    absWorkingDir: root,
    entryPoints: files.map((file) => join(generated, file)),
    outdir: join(outDir, SERIALIZER_DIR),
    outExtension: { '.js': '.cjs' },
    ...sideFileOptions(minify),
    // The generated serializers require fast-json-stringify's runtime from outside the tree.
    nodePaths: [join(root, 'node_modules')],
  });
}
