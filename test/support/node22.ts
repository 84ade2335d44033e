import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** The Node.js that Lambda's nodejs22.x runtime runs, fetched from the npm registry by npx (no manual install). */
export const NODE22_VERSION = '22.23.3';

let located: Promise<string> | undefined;

/**
 * The path of a Node 22 binary: the one running tests if it is 22 already, else the `node@22` npm package through
 * npx (cached by npm after the first fetch). Rejects with the reason when it cannot be had.
 */
export function node22(): Promise<string> {
  if (process.versions.node.startsWith('22.')) return Promise.resolve(process.execPath);
  located ??= promisify(execFile)('npx', ['-y', `node@${NODE22_VERSION}`, '-p', 'process.execPath'], {
    timeout: 300_000,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  }).then(({ stdout }) => stdout.trim());
  return located;
}
