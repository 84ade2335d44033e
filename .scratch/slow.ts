import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../entrypoints/config/config.js';
import { createLocalTokenAuthority } from '../entrypoints/local-module.js';
import { createLogger } from '../entrypoints/logger.js';
import { startServer } from '../entrypoints/http/server.js';

const dataDir = await mkdtemp(join(tmpdir(), 'mem-'));
const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '0', TTS: 'none', CONVERSATION_STORE: 'memory' });
const server = await startServer(config, createLogger('silent'));
const token = await (await createLocalTokenAuthority(config)).mint({ userId: 'bench', ttlSeconds: 3600 });
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const ids: string[] = [];
for (let i = 0; i < 200; i += 1) ids.push(((await (await fetch(`${server.url}/v1/conversations`, { method: 'POST', headers, body: '{}' })).json()) as { id: string }).id);
const t0 = performance.now();
const slow: string[] = [];
await Promise.all(Array.from({ length: 100 }, async (_, w) => {
  for (let k = 0; k < 3; k += 1) {
    const s = performance.now();
    const res = await fetch(`${server.url}/v1/conversations/${ids[(w + k * 100) % 200]}/turns`, { method: 'POST', headers, body: JSON.stringify({ text: 'what time is it' }) });
    const body = await res.json() as { timings: Record<string, number> };
    const took = performance.now() - s;
    if (took > 800) slow.push(`${(s - t0).toFixed(0)}+${took.toFixed(0)} ${JSON.stringify(body.timings)}`);
  }
}));
console.log(slow.length); console.log(slow.slice(0, 15).join('\n'));
await server.close();
