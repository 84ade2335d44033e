import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { BUDGET_BYTES, bundleSizes, kb } from './web-bundle-size.js';

/**
 * Builds the web client (entrypoints/web, React + TypeScript) into dist/web: index.html plus content-hashed assets.
 * Offline: Vite bundles from node_modules only. Prints the gzipped size of the JavaScript the first screen loads
 * (budget: 200 KB) and fails the build above it.
 */
const root = fileURLToPath(new URL('../entrypoints/web/', import.meta.url));
/** WEB_OUT_DIR: elsewhere than dist/web (the browser tests build a fresh client into a temporary folder). */
const outDir = process.env['WEB_OUT_DIR'] ?? fileURLToPath(new URL('../dist/web/', import.meta.url));

await build({
  root,
  configFile: false,
  logLevel: 'warn',
  base: '/',
  build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: false, modulePreload: { polyfill: false } },
  // The hands-free VAD worker is an ES module (it imports the WebAssembly VAD); it loads only when switched on.
  worker: { format: 'es' },
  // The VAD's Emscripten loader imports Node's `module` on its Node path only.
  resolve: { alias: { module: join(root, 'src/hands-free/node-module-stub.ts') } },
});

const sizes = bundleSizes(outDir);
process.stdout.write(
  `web client: ${kb(sizes.firstScreen)} gzipped JS for the first screen (budget ${kb(BUDGET_BYTES)}), ` +
    `${kb(sizes.total)} in all; built into ${outDir} (${statSync(join(outDir, 'index.html')).size} B index.html)\n`,
);
if (sizes.firstScreen > BUDGET_BYTES) {
  process.stderr.write('web client: the first screen is over its JavaScript budget\n');
  process.exit(1);
}
