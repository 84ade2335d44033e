import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

/**
 * Compiles the CLI (and, with --bench, the bench's target server) to plain ESM in dist/, so the server runs on plain
 * node instead of through tsx. tsx's ESM hooks run on a loader thread with its own V8 isolate and keep every source map:
 * about 25 MB of resident memory on a server that needs ~125 MB in all (RELIABILITY.md, load).
 *
 * Packages stay external (node_modules at run time); dynamic imports stay lazy chunks, so the embedded default still
 * never loads an AWS SDK. Output sits in dist/bin/, two levels down like entrypoints/composition/*, which keeps the
 * `new URL('../../adapters/…', import.meta.url)` paths resolving to the same files.
 */
const entryPoints: Record<string, string> = { assistant: 'entrypoints/cli/main.ts' };
if (process.argv.includes('--bench')) entryPoints['bench-target'] = 'bench/target-server.ts';

// dist/web (the web client, npm run build:web) is built separately and kept.
await rm('dist/bin', { recursive: true, force: true });
await build({
  entryPoints,
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outExtension: { '.js': '.mjs' },
  sourcemap: 'linked',
  logLevel: 'warning',
});
