import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../entrypoints/config/config.js';
import { createLocalTokenAuthority } from '../entrypoints/local-module.js';
import { createLogger } from '../entrypoints/logger.js';
import { startServer } from '../entrypoints/http/server.js';

const dataDir = await mkdtemp(join(tmpdir(), 'mem-'));
const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '0', TTS: 'none', CONVERSATION_STORE: process.env.STORE ?? 'sqlite' });
const server = await startServer(config, createLogger('silent'));
const token = await (await createLocalTokenAuthority(config)).mint({ userId: 'bench', ttlSeconds: 3600 });
const headers = { authorization: `Bearer ${token}` };
const paths: string[] = [];
for (let i = 0; i < 1000; i += 1) {
  const created = await fetch(`${server.url}/v1/conversations`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
  paths.push(`/v1/conversations/${((await created.json()) as { id: string }).id}/turns`);
}
const utterances = (process.env.UTT ?? 'what time is it|hello|play some jazz|what can you do|what\'s the date|tell me a joke|next song|thanks').split('|');
const bodies = utterances.map((text) => JSON.stringify({ text }));
const mb = (n: number) => (n / 1048576).toFixed(0);
const show = () => { const m = process.memoryUsage(); console.log(`rss ${mb(m.rss)} heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} ext ${mb(m.external)} ab ${mb(m.arrayBuffers)}`); };
show();
const t = setInterval(show, 3000);
let next = 0;
const t0 = Date.now();
const slow: string[] = [];
const seen: number[] = [];
const inst = autocannon({ url: server.url, method: 'POST', connections: 100, duration: Number(process.env.S ?? 20), headers: { 'content-type': 'application/json', ...headers },
  requests: [{ setupRequest: (req) => { next += 1; if (next <= 300) seen.push(next % paths.length); return { ...req, path: paths[next % paths.length]!, body: bodies[next % bodies.length]! }; } }] });
inst.on('response', (_c: unknown, _s: number, _b: number, rt: number) => { if (rt > 1500) slow.push(`${((Date.now() - t0) / 1000).toFixed(1)}s:${rt.toFixed(0)}`); });
const r = await inst;
console.log('first', seen.slice(0, 120).join(','));
console.log('slow', slow.length, slow.slice(0, 40).join(' '));
clearInterval(t);
show();
console.log(r.requests.average, r.latency.p99, r.latency.max, r.errors, r.timeouts, r.non2xx);
(globalThis as any).gc?.(); show();
await server.close();
