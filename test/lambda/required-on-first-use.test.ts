import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BANNER } from '../../scripts/bundle-lambda.js';
import { buildSideLibraries, requiredOnFirstUse } from '../../scripts/lambda-bundle-plugins.js';

/*
 * The bundle's stand-ins (scripts/bundle-lambda.ts) move when a dependency is evaluated, never what it does: bundled as
 * the Lambda functions are, each dependency is driven down the path that needs the real module, from a directory with
 * no node_modules, and answers as it would unbundled.
 */
const ENTRY = `
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import rateLimit from '@fastify/rate-limit';
import { createSigner, createVerifier } from 'fast-jwt';
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import pino from 'pino';

// find-my-way, loaded with Fastify, checks three regular expressions of its own: the stand-in answers for those.
const sideFilesAtLoad = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('/lib/'));

const pem = generateKeyPairSync('ec', {
  namedCurve: 'P-256',
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const token = createSigner({ key: pem.privateKey, algorithm: 'ES256' })({ sub: 'someone' });
const claims = createVerifier({ key: pem.publicKey })(token);

// The default key groups IPv6 clients by their /56: two addresses of one subnet share a budget of one request.
const app = Fastify();
await app.register(rateLimit, { max: 1, timeWindow: 60_000 });
app.get('/', async () => ({ ok: true }));
const statuses = [];
for (const remoteAddress of ['2001:db8::1', '2001:db8::2', '192.0.2.1'])
  statuses.push((await app.inject({ url: '/', remoteAddress })).statusCode);

// Each plugin's declared Fastify version: the \`N.x\` form is answered by the stand-in, any other by semver.
const versions = [];
for (const range of ['5.x', '4.x', '>=5.0.0', '^4.0.0']) {
  const probe = Fastify();
  try {
    await probe.register(fp(async () => {}, { fastify: range, name: 'probe' }));
    await probe.ready();
    versions.push('accepted');
  } catch (error) {
    versions.push(error.code);
  }
}

// Behind trusted proxies the client's address comes from X-Forwarded-For (proxy-addr).
const proxied = Fastify({ trustProxy: true });
proxied.get('/', async (request) => ({ ip: request.ip, ips: request.ips }));
const forwarded = (
  await proxied.inject({ url: '/', remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': '198.51.100.7, 10.0.0.2' } })
).json();

// A route's regular expression parameter is checked by safe-regex2, and one that could backtrack is refused.
const regexRoutes = Fastify();
regexRoutes.get('/items/:id(^\\\\d+$)', async (request) => ({ id: request.params.id }));
const regexRoute = [];
for (const url of ['/items/42', '/items/x']) regexRoute.push((await regexRoutes.inject({ url })).statusCode);
try {
  const unsafe = Fastify();
  unsafe.get('/bad/:id(^(a+)+$)', async () => ({}));
  await unsafe.ready();
  regexRoute.push('accepted');
} catch (error) {
  regexRoute.push(error.message);
}
// fast-jwt asks safe-regex2 about an allowed claim given as a regular expression, and warns of one that could backtrack.
const warnings = [];
process.on('warning', (warning) => warnings.push(warning.code));
createVerifier({ key: 'secret', allowedAud: /^(a+)+$/ });
await new Promise((resolve) => setImmediate(resolve));
const unsafeAudience = warnings.filter((code) => code === 'FAST_JWT_UNSAFE_REGEXP');

const loaded = Object.keys(createRequire(import.meta.url).cache).map((path) => path.slice(path.lastIndexOf('/lib/')));
console.log(JSON.stringify({ sub: claims.sub, statuses, versions, forwarded, transport: typeof pino.transport, sideFilesAtLoad, regexRoute, unsafeAudience, loaded: loaded.sort() }));
`;

describe('dependencies a Lambda bundle evaluates on first use', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'on-first-use-'));
    await writeFile(join(dir, 'entry.mjs'), ENTRY);
    await build({
      absWorkingDir: resolve('.'),
      entryPoints: { index: join(dir, 'entry.mjs') },
      outdir: join(dir, 'out'),
      outExtension: { '.js': '.mjs' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      mainFields: ['module', 'main'],
      banner: { js: BANNER },
      nodePaths: [resolve('node_modules')],
      logLevel: 'error',
      plugins: [requiredOnFirstUse],
    });
    await buildSideLibraries(join(dir, 'out'), true);
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('behave as the real modules: EC keys (asn1.js), IPv6 subnets (ip-address), plugin versions (semver), proxies, transports, unsafe regular expressions (safe-regex2)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'out', 'index.mjs')], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual({
      sub: 'someone',
      statuses: [200, 429, 200],
      versions: ['accepted', 'FST_ERR_PLUGIN_VERSION_MISMATCH', 'accepted', 'FST_ERR_PLUGIN_VERSION_MISMATCH'],
      forwarded: { ip: '198.51.100.7', ips: ['10.0.0.1', '10.0.0.2', '198.51.100.7'] },
      transport: 'function',
      sideFilesAtLoad: [],
      regexRoute: [200, 404, "The regex '(^(a+)+$)' is not safe!"],
      unsafeAudience: ['FAST_JWT_UNSAFE_REGEXP'],
      loaded: [
        '/lib/@fastify+proxy-addr.cjs',
        '/lib/asn1.js.cjs',
        '/lib/ip-address.cjs',
        '/lib/safe-regex2.cjs',
        '/lib/semver.cjs',
      ],
    });
  });
});
