import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The Node of Lambda's nodejs22.x runtime, from the npm package `node` (pinned; .ci/run warms the same version). */
export const NODE22_VERSION = '22.23.3';

const CACHE = join(tmpdir(), `voice-assistant-node-${NODE22_VERSION}.path`);

export type Node22 = { path: string; version: string } | { skip: string };

/**
 * The path of a Node 22 binary: this process's own when it is Node 22, else the `node@22` npm package fetched by
 * npx (once per machine; the path is remembered). When it cannot be had, the suite is skipped with the reason
 * printed — except under CI=true, where that is a failure: the Lambda tests must never vanish silently there.
 */
export async function locateNode22(): Promise<Node22> {
  if (process.versions.node.startsWith('22.')) return { path: process.execPath, version: process.versions.node };
  try {
    const cached = (await readFile(CACHE, 'utf8').catch(() => '')).trim();
    const path = cached && existsSync(cached) ? cached : await fetchNode22();
    const { stdout } = await promisify(execFile)(path, ['--version'], { timeout: 30_000 });
    if (!stdout.trim().startsWith('v22.')) throw new Error(`${path} is ${stdout.trim()}, not Node 22`);
    await writeFile(CACHE, path);
    return { path, version: stdout.trim().slice(1) };
  } catch (error) {
    const reason = `Node ${NODE22_VERSION} is not available (npx -y node@${NODE22_VERSION} failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
    if (process.env.CI === 'true')
      throw new Error(`${reason}; CI=true, so the Lambda runtime tests fail instead of skipping`);
    console.warn(`skipping the Lambda runtime tests: ${reason}`);
    return { skip: reason };
  }
}

async function fetchNode22(): Promise<string> {
  const { stdout } = await promisify(execFile)('npx', ['-y', `node@${NODE22_VERSION}`, '-p', 'process.execPath'], {
    timeout: 180_000,
  });
  return stdout.trim();
}
