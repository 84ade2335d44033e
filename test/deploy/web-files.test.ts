import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishOrder, webBuildStaleness, webFile } from '../../deploy/tool/web-files.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'web-files-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the web client files', () => {
  it('treats only Vite-hashed assets as immutable and orders index.html last', () => {
    const files = ['index.html', 'config.json', 'favicon.svg', 'assets/index-uYB9EkVu.js', 'assets/logo.svg'].map(
      (key) => webFile(key, Buffer.from(key)),
    );
    expect(publishOrder(files).map((file) => [file.key, file.cacheControl])).toEqual([
      ['assets/index-uYB9EkVu.js', 'public, max-age=31536000, immutable'],
      ['assets/logo.svg', 'no-cache'],
      ['favicon.svg', 'no-cache'],
      ['config.json', 'no-cache'],
      ['index.html', 'no-cache'],
    ]);
    expect(webFile('a.bin', Buffer.from('')).contentType).toBe('application/octet-stream');
    expect(webFile('index.html', Buffer.from('x')).md5Hex).toBe('9dd4e461268c8034f5c8564e155c67a6');
  });

  it('rebuilds when the build is missing or a source is newer than index.html, not otherwise', async () => {
    const out = join(root, 'dist/web');
    expect(await webBuildStaleness(root, out)).toMatch(/index\.html is missing/);
    await mkdir(join(root, 'entrypoints/web/src'), { recursive: true });
    await mkdir(out, { recursive: true });
    const source = join(root, 'entrypoints/web/src/App.tsx');
    await writeFile(source, 'export {};\n');
    await writeFile(join(out, 'index.html'), '<!doctype html>');
    const past = new Date('2026-01-01T00:00:00Z');
    await utimes(source, past, past);
    await utimes(join(root, 'entrypoints/web/src'), past, past);
    await utimes(join(root, 'entrypoints/web'), past, past);
    expect(await webBuildStaleness(root, out)).toBeUndefined();
    await utimes(source, new Date(), new Date(Date.now() + 60_000));
    expect(await webBuildStaleness(root, out)).toBe('entrypoints/web/src changed after the last build');
  });
});
