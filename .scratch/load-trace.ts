import autocannon from 'autocannon';
import { startTarget } from '../bench/target-process.js';
const { target, stop } = await startTarget((process.env.MODE ?? 'turn') as 'turn', 1000);
const bodies = ['what time is it', 'hello', 'play some jazz', 'tell me a joke'].map((text) => JSON.stringify({ text }));
let next = 0;
const t0 = Date.now();
const slow: string[] = [];
const inst = autocannon({ url: target.url, method: 'POST', connections: 100, duration: Number(process.env.S ?? 20), headers: { 'content-type': 'application/json', ...target.headers },
  requests: [{ setupRequest: (req) => { next += 1; return { ...req, path: target.paths[next % target.paths.length]!, body: bodies[next % bodies.length]! }; } }] });
inst.on('response', (_c: unknown, _s: number, _b: number, rt: number) => { if (rt > 1000) slow.push(`${((Date.now() - t0 - rt) / 1000).toFixed(1)}s+${rt.toFixed(0)}`); });
const r = await inst;
console.log(r.requests.average, 'p50', r.latency.p50, 'p99', r.latency.p99, 'max', r.latency.max, 'err', r.errors, r.timeouts);
console.log('slow', slow.length, slow.slice(0, 30).join(' '), '...', slow.slice(-10).join(' '));
await stop();
