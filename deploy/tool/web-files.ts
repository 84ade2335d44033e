import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { DeployError } from './errors.js';

/** One object of the web client as it goes to the web bucket. */
export interface WebFile {
  key: string;
  body: Uint8Array;
  /** Hex MD5 of `body`: what S3 reports as the ETag of a single-part upload (SSE-S3), so unchanged files are skipped. */
  md5Hex: string;
  contentType: string;
  cacheControl: string;
  /** A content-hashed name (Vite's `assets/<name>-<hash>.<ext>`): cached for a year, never overwritten. */
  hashed: boolean;
}

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';
export const CONFIG_KEY = 'config.json';
export const INDEX_KEY = 'index.html';
/** Paths CloudFront may hold an old copy of: the unhashed entry points ('/' is DefaultRootObject's own cache key). */
export const INVALIDATION_PATHS = ['/index.html', '/config.json', '/'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
};

/** Vite writes `assets/<name>-<hash>.<ext>` with an 8-character base64url hash. */
const HASHED = /^assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

export function contentTypeOf(key: string): string {
  return TYPES[extname(key).toLowerCase()] ?? 'application/octet-stream';
}

export function webFile(key: string, body: Uint8Array): WebFile {
  const hashed = HASHED.test(key);
  return {
    key,
    body,
    md5Hex: createHash('md5').update(body).digest('hex'),
    contentType: contentTypeOf(key),
    cacheControl: hashed ? IMMUTABLE : REVALIDATE,
    hashed,
  };
}

/**
 * The upload order: hashed assets first, then the other unhashed files, config.json, and index.html last, so a
 * browser that loads the new index.html finds every asset it names already in the bucket.
 */
export function publishOrder(files: WebFile[]): WebFile[] {
  const rank = (file: WebFile) => (file.hashed ? 0 : file.key === INDEX_KEY ? 3 : file.key === CONFIG_KEY ? 2 : 1);
  return [...files].sort((a, b) => rank(a) - rank(b) || a.key.localeCompare(b.key));
}

/** The built client's files (sorted keys with forward slashes); a build without index.html is refused. */
export async function readWebBuild(dir: string): Promise<WebFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => {
    throw missingBuild(dir);
  });
  const keys = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
  if (!keys.includes(INDEX_KEY)) throw missingBuild(dir);
  // config.json belongs to the environment: the tool writes it from the stack outputs, never from the build.
  const files = keys.filter((key) => key !== CONFIG_KEY);
  return Promise.all(files.map(async (key) => webFile(key, await readFile(join(dir, key)))));
}

function missingBuild(dir: string): DeployError {
  return new DeployError(
    `The web client is not built: ${join(dir, INDEX_KEY)} is missing.`,
    'Run `npm run build:web`, or drop --skip-web-build so deploy builds it.',
  );
}

/** The newest modification time under `path` (a file or a folder), 0 when it does not exist. */
async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    newest = Math.max(newest, await newestMtime(join(path, entry.name)));
  }
  return newest;
}

/**
 * Why the build in `outDir` needs rebuilding, or undefined when it is current: it is missing, or a source of the
 * client (entrypoints/web/{src,public,index.html}, the build script, the lock file) changed after it was written.
 */
export async function webBuildStaleness(root: string, outDir: string): Promise<string | undefined> {
  const built = await stat(join(outDir, INDEX_KEY)).catch(() => undefined);
  if (!built) return `${join(outDir, INDEX_KEY)} is missing`;
  const sources = [
    'entrypoints/web/src',
    'entrypoints/web/public',
    'entrypoints/web/index.html',
    'scripts/build-web.ts',
    'package-lock.json',
  ];
  for (const source of sources) {
    if ((await newestMtime(join(root, source))) > built.mtimeMs) return `${source} changed after the last build`;
  }
  return undefined;
}
