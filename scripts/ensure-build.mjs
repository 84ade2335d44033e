#!/usr/bin/env node
// `npm start` runs the compiled server (dist/, plain node) rather than the TypeScript through tsx, whose loader thread
// (its own V8 isolate) and source maps cost ~25 MB of resident memory (docs/PERFORMANCE.md). This compiles dist/ first
// when it is missing or older than any source it is built from: offline, about a second with esbuild.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const output = join(root, 'dist', 'bin', 'assistant.mjs');
const sources = ['core', 'adapters', 'entrypoints'];
const files = ['package.json', 'package-lock.json', 'scripts/build.ts'];

/** The newest modification time of the build's inputs, in milliseconds. */
function newestInput(sources, files, pattern = /\.(?:[cm]?ts|json)$/) {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (pattern.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of sources) visit(join(root, dir));
  for (const file of files) {
    try {
      newest = Math.max(newest, statSync(join(root, file)).mtimeMs);
    } catch {
      // An absent lock file is no reason to rebuild.
    }
  }
  return newest;
}

function builtAt(output) {
  try {
    return statSync(output).mtimeMs;
  } catch {
    return -1;
  }
}

if (builtAt(output) < newestInput(sources, files)) {
  process.stderr.write('compiling the server into dist/ (npm run build)...\n');
  const build = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build.ts')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    process.stderr.write('the build failed; `npm run start:tsx` runs the server from the TypeScript sources instead\n');
    process.exit(build.status ?? 1);
  }
}

// The web client (dist/web, served at / on the local profile): rebuilt the same way when missing or older than its
// sources; Vite builds offline from node_modules in a few seconds.
const webOutput = join(root, 'dist', 'web', 'index.html');
const webInputs = newestInput(
  ['entrypoints/web'],
  ['package-lock.json', 'scripts/build-web.ts'],
  /\.(?:tsx?|css|html|json)$/,
);
if (builtAt(webOutput) < webInputs) {
  process.stderr.write('building the web client into dist/web (npm run build:web)...\n');
  const web = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build-web.ts')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (web.status !== 0) {
    process.stderr.write('the web client did not build; the server starts without it (the API is unaffected)\n');
  }
}
