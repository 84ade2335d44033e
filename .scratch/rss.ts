import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { startTarget } from '../bench/target-process.js';
const { target, child, stop } = await startTarget('turn', 1000);
const rss = () => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024;
const bodies = ['what time is it', 'hello', 'play some jazz', 'what can you do', "what's the date", 'tell me a joke', 'next song', 'thanks'].map((text) => JSON.stringify({ text }));
let next = 0;
const samples: string[] = [];
const t0 = Date.now();
const timer = setInterval(() => samples.push(`${Math.round((Date.now() - t0) / 1000)}s:${rss().toFixed(0)}`), 5000);
const r = await autocannon({ url: target.url, method: 'POST', connections: 100, duration: Number(process.env.S ?? 60), headers: { 'content-type': 'application/json', ...target.headers },
  requests: [{ setupRequest: (req) => { next += 1; return { ...req, path: target.paths[next % target.paths.length]!, body: bodies[next % bodies.length]! }; } }] });
clearInterval(timer);
console.log(r.requests.average, r.requests.total, 'p99', r.latency.p99, 'err', r.errors, r.timeouts);
console.log(samples.join(' '));
await stop();
