import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { loadConfig } from '../entrypoints/composition/config.js';
import { createLocalTokenAuthority } from '../entrypoints/composition/local-module.js';
import { createLogger } from '../entrypoints/composition/logger.js';
import { startServer } from '../entrypoints/http/server.js';

/**
 * A server under load, run in its own process so the load generator does not share its event loop.
 * Prints one JSON line `{ url, headers, paths }` when ready and stops on SIGTERM.
 */
const mode = process.argv[2];
const conversations = Number(process.argv[3] ?? 10);

if (mode === 'echo') {
  const app = Fastify({ logger: false });
  app.post('/echo', async (request) => request.body);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  ready({ url, headers: {}, paths: ['/echo'] }, () => app.close());
} else if (mode === 'turn') {
  const dataDir = await mkdtemp(join(tmpdir(), 'assistant-bench-'));
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '0', TTS: 'none' });
  const server = await startServer(config, createLogger('silent'));
  const token = await (await createLocalTokenAuthority(config)).mint({ userId: 'bench', ttlSeconds: 3600 });
  const headers = { authorization: `Bearer ${token}` };
  const paths: string[] = [];
  for (let i = 0; i < conversations; i += 1) {
    const created = await fetch(`${server.url}/v1/conversations`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
    paths.push(`/v1/conversations/${((await created.json()) as { id: string }).id}/turns`);
  }
  ready({ url: server.url, headers, paths }, async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });
} else {
  process.stderr.write('usage: target-server.ts echo|turn [conversations]\n');
  process.exit(2);
}

function ready(target: { url: string; headers: Record<string, string>; paths: string[] }, close: () => Promise<unknown>) {
  process.stdout.write(`${JSON.stringify({ ...target, rssBytes: process.memoryUsage().rss })}\n`);
  process.once('SIGTERM', () => {
    void close().finally(() => process.exit(0));
  });
}
