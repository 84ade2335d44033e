import { chmod, mkdir, readdir, lstat, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from './config.js';

/** DATA_DIR and every directory under it: only the owner may list or enter them. */
export const PRIVATE_DIR_MODE = 0o700;
/** Every file in DATA_DIR (conversations, the NLU model cache, the auth secret): only the owner may read or write it. */
export const PRIVATE_FILE_MODE = 0o600;

/** DATA_DIR cannot be made private, so the assistant must not start and write conversations into it. */
export class DataDirNotPrivateError extends Error {
  override readonly name = 'DataDirNotPrivateError';
}

/** True when a local adapter of this configuration writes to DATA_DIR (SQLite, the NLU model cache, the auth secret). */
export function usesDataDir(config: AppConfig): boolean {
  const { adapters } = config;
  return (
    adapters.conversationStore === 'sqlite' ||
    adapters.nlu === 'nlpjs' ||
    (adapters.auth === 'local' && !config.auth.secret)
  );
}

/**
 * Makes DATA_DIR private before anything reads or writes it: creates it 0700 when missing; otherwise tightens it and
 * every directory under it to 0700 and every file to 0600 (a data directory from an older version, or one created by
 * hand, is fixed in place). Throws DataDirNotPrivateError, naming the path and what to do, when that is impossible:
 * the path is not a directory, something in it belongs to another user, or a chmod fails. Symbolic links inside are
 * left alone (a chmod would follow them out of the directory).
 */
export async function ensurePrivateDataDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return; // POSIX modes mean nothing there; the directory's ACL decides.
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE }).catch((error: unknown) => {
    // A file in the way is reported below, as what it is.
    if (codeOf(error) !== 'EEXIST') throw refusal(dir, `cannot be created (${codeOf(error)})`);
  });
  const top = await stat(dir);
  if (!top.isDirectory()) throw refusal(dir, 'is not a directory');
  await tighten(dir, top, PRIVATE_DIR_MODE);
  await walk(dir);
}

async function walk(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const entry = await lstat(path);
    if (entry.isSymbolicLink()) continue;
    await tighten(path, entry, entry.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE);
    if (entry.isDirectory()) await walk(path);
  }
}

async function tighten(path: string, entry: { uid: number; mode: number }, mode: number): Promise<void> {
  const uid = process.getuid?.();
  if (uid !== undefined && entry.uid !== uid) {
    throw refusal(
      path,
      `belongs to uid ${entry.uid}, not to uid ${uid} that the assistant runs as; chown it to this user`,
    );
  }
  if ((entry.mode & 0o777) === mode) return;
  await chmod(path, mode).catch((error: unknown) => {
    throw refusal(path, `cannot be made mode ${mode.toString(8)} (${codeOf(error)})`);
  });
}

function refusal(path: string, problem: string): DataDirNotPrivateError {
  return new DataDirNotPrivateError(
    `DATA_DIR must be private to the assistant's user, but ${path} ${problem}. ` +
      'Fix it, or set DATA_DIR to a directory this user owns (it is created 0700 when missing).',
  );
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}
