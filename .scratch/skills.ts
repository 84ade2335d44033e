import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../entrypoints/config/config.js';
import { createLocalTokenAuthority } from '../entrypoints/local-module.js';
import { createLogger } from '../entrypoints/logger.js';
import { startServer } from '../entrypoints/http/server.js';
const dataDir = await mkdtemp(join(tmpdir(), 'mem-'));
const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '0', TTS: 'none', CONVERSATION_STORE: 'memory' });
const server = await startServer(config, createLogger('silent'));
const token = await (await createLocalTokenAuthority(config)).mint({ userId: 'bench', ttlSeconds: 3600 });
for (const path of (process.env.P ?? '/health,/v1/me/preferences').split(',')) {
  const r = await autocannon({ url: server.url + path, connections: 100, duration: 5, headers: { authorization: `Bearer ${token}` } });
  console.log(path, r.requests.average, 'p50', r.latency.p50, 'p99', r.latency.p99, 'max', r.latency.max, r.non2xx);
}
await server.close();
