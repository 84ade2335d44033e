import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

/**
 * Builds the web client (entrypoints/web, React + TypeScript) into dist/web: index.html plus content-hashed assets.
 * Offline: Vite bundles from node_modules only. Prints the gzipped size of the JavaScript the first screen loads
 * (budget: 200 KB) and fails the build above it.
 */
const root = fileURLToPath(new URL('../entrypoints/web/', import.meta.url));
/** WEB_OUT_DIR: elsewhere than dist/web (the browser tests build a fresh client into a temporary folder). */
const outDir = process.env['WEB_OUT_DIR'] ?? fileURLToPath(new URL('../dist/web/', import.meta.url));
const BUDGET_BYTES = 200 * 1024;

await build({
  root,
  configFile: false,
  logLevel: 'warn',
  base: '/',
  build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: false, modulePreload: { polyfill: false } },
});

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

const sizes = bundleSizes(outDir);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
process.stdout.write(
  `web client: ${kb(sizes.firstScreen)} gzipped JS for the first screen (budget ${kb(BUDGET_BYTES)}), ` +
    `${kb(sizes.total)} in all; built into ${outDir} (${statSync(join(outDir, 'index.html')).size} B index.html)\n`,
);
if (sizes.firstScreen > BUDGET_BYTES) {
  process.stderr.write('web client: the first screen is over its JavaScript budget\n');
  process.exit(1);
}
