import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { DeployError } from './errors.js';

/** The Lambda bundles the root stack takes, and the parameter names their key and hash go to. */
export const FUNCTIONS = [
  { name: 'api', keyParameter: 'ApiCodeKey', hashParameter: 'ApiCodeSha256' },
  { name: 'events', keyParameter: 'EventsCodeKey', hashParameter: 'EventsCodeSha256' },
  { name: 'workflow', keyParameter: 'WorkflowCodeKey', hashParameter: 'WorkflowCodeSha256' },
] as const;

/** One file to upload: its bytes, content-addressed key and hashes. */
export interface Artifact {
  /** What it is, for the plan: `lambda api`, `workflow definition`, `template network`. */
  label: string;
  key: string;
  body: Uint8Array;
  contentType: string;
  /** Hex SHA-256 of `body`. */
  sha256Hex: string;
  /** Base64 SHA-256 of `body`: what Lambda reports as CodeSha256. */
  sha256Base64: string;
}

export interface LambdaArtifact extends Artifact {
  functionName: string;
  /** The bundle's files with their sizes, sorted by path. */
  files: Array<{ path: string; bytes: number }>;
}

/*
 * A DOS timestamp is local time, so a fixed Date built from local fields writes the same bytes in every time zone;
 * 1980-01-01 is the earliest a zip can hold. With sorted entries and fixed modes, the same bundle always gives the
 * same zip, hence the same key and CodeSha256, and an unchanged function is neither uploaded nor updated again.
 */
const ZIP_TIME = new Date(1980, 0, 1, 0, 0, 0);
const FILE_MODE = 0o644 << 16;
const UNIX = 3;

/** Hashes bytes and names them `<prefix>/<folder>/<name>-<hex12><ext>`. */
export function artifact(
  label: string,
  body: Uint8Array,
  where: { prefix: string; folder: string; name: string; ext: string },
  contentType: string,
): Artifact {
  const digest = createHash('sha256').update(body).digest();
  const sha256Hex = digest.toString('hex');
  return {
    label,
    key: `${where.prefix}/${where.folder}/${where.name}-${sha256Hex.slice(0, 12)}${where.ext}`,
    body,
    contentType,
    sha256Hex,
    sha256Base64: digest.toString('base64'),
  };
}

/** Zips `dist/lambda/<fn>/` deterministically and keys it `<prefix>/lambda/<fn>-<hex12>.zip`. */
export async function packageLambda(bundleRoot: string, functionName: string, prefix: string): Promise<LambdaArtifact> {
  const dir = join(bundleRoot, functionName);
  const paths = await listFiles(dir).catch((error: unknown) => {
    throw missingBundle(bundleRoot, `${dir} cannot be read (${(error as Error).message})`);
  });
  if (paths.length === 0) throw missingBundle(bundleRoot, `${dir} is empty`);
  const entries: Zippable = {};
  const files: LambdaArtifact['files'] = [];
  for (const path of paths) {
    const data = await readFile(join(dir, path));
    entries[path] = [data, { mtime: ZIP_TIME, os: UNIX, attrs: FILE_MODE, level: 9 }];
    files.push({ path, bytes: data.length });
  }
  const zip = zipSync(entries);
  const base = artifact(
    `lambda ${functionName}`,
    zip,
    { prefix, folder: 'lambda', name: functionName, ext: '.zip' },
    'application/zip',
  );
  return { ...base, functionName, files };
}

/** Every bundle the root stack needs, or one error naming what is missing and how to build it. */
export async function packageLambdas(bundleRoot: string, prefix: string): Promise<LambdaArtifact[]> {
  const missing: string[] = [];
  for (const { name } of FUNCTIONS) {
    const found = await stat(join(bundleRoot, name)).catch(() => undefined);
    if (!found?.isDirectory()) missing.push(join(bundleRoot, name));
  }
  if (missing.length > 0) throw missingBundle(bundleRoot, `missing ${missing.join(', ')}`);
  const out: LambdaArtifact[] = [];
  for (const { name } of FUNCTIONS) out.push(await packageLambda(bundleRoot, name, prefix));
  return out;
}

/** The Step Functions definition, uploaded as it is: `<prefix>/workflow/<name>-<hex12>.asl.json`. */
export async function packageWorkflowDefinition(path: string, prefix: string): Promise<Artifact> {
  const body = await readFile(path).catch(() => {
    throw new DeployError(
      `The workflow definition ${path} cannot be read.`,
      'It is part of the repository: restore it.',
    );
  });
  const name = basename(path).replace(/\.asl\.json$/, '');
  return artifact(
    'workflow definition',
    body,
    { prefix, folder: 'workflow', name, ext: '.asl.json' },
    'application/json',
  );
}

function missingBundle(bundleRoot: string, detail: string): DeployError {
  return new DeployError(
    `The Lambda bundles are not built: ${detail}.`,
    `Run \`npm run bundle\` (it writes ${bundleRoot}/<function>/), or drop --skip-bundle so deploy builds them.`,
  );
}

/** Relative paths with forward slashes, sorted, so the zip's entry order never depends on the file system. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}
