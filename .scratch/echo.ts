import autocannon from 'autocannon';
import { startTarget } from '../bench/target-process.js';
const { target, stop } = await startTarget('echo', 1);
const r = await autocannon({ url: target.url, method: 'POST', connections: 100, duration: 10, body: '{"text":"hi"}', headers: { 'content-type': 'application/json' }, requests: [{ setupRequest: (q) => ({ ...q, path: '/echo' }) }] });
console.log('echo', r.requests.average, 'p50', r.latency.p50, 'p99', r.latency.p99, 'max', r.latency.max, r.errors, r.timeouts);
await stop();
