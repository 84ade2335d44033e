import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The first screen's JavaScript budget, gzipped. */
export const BUDGET_BYTES = 200 * 1024;

/** The gzipped bytes of the scripts index.html loads (entry and preloads), and of all the JavaScript. */
export function bundleSizes(dir: string): { firstScreen: number; total: number } {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const loaded = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? '');
  const gz = (file: string) => gzipSync(readFileSync(join(dir, file))).length;
  const all = readdirSync(join(dir, 'assets')).filter((f) => f.endsWith('.js'));
  return {
    firstScreen: loaded.reduce((sum, file) => sum + gz(file), 0),
    total: all.reduce((sum, file) => sum + gz(join('assets', file)), 0),
  };
}

export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
