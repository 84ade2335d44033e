import autocannon from 'autocannon';
import { loadConfig } from '../entrypoints/composition/config.js';
import { composeAssistant } from '../entrypoints/composition/container.js';
import { createLogger } from '../entrypoints/composition/logger.js';
import { startTarget } from './target-process.js';

/**
 * Throughput of the turn route against a bare Fastify echo route measured in the same run on the same machine,
 * so the ratio says what the assistant costs whatever else the machine is doing. Each server runs in its own
 * process; the load generator runs here.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const body = JSON.stringify({ text: 'what time is it' });

interface Figures {
  rps: number;
  p99: number;
  errors: number;
}

async function load(mode: 'echo' | 'turn'): Promise<Figures> {
  const { target, stop } = await startTarget(mode, Number(process.env.BENCH_CONVERSATIONS ?? connections));
  try {
    let next = 0;
    const result = await autocannon({
      url: target.url,
      method: 'POST',
      connections,
      duration: seconds,
      body,
      headers: { 'content-type': 'application/json', ...target.headers },
      // Turns on one conversation run one at a time by design, so the load is spread over one conversation per connection.
      requests: [{ setupRequest: (request) => ({ ...request, path: target.paths[(next += 1) % target.paths.length] }) }],
    });
    return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx };
  } finally {
    await stop();
  }
}

async function inProcessTurns(): Promise<{ turnsPerSecond: number; p99: number }> {
  const config = loadConfig({ LOG_LEVEL: 'silent', CONVERSATION_STORE: 'memory', TTS: 'none', DATA_DIR: '.data/bench' });
  const assistant = await composeAssistant(config, { logger: createLogger('silent') });
  try {
    const durations: number[] = [];
    let conversationId = (await assistant.conversations.create('bench')).id;
    const deadline = performance.now() + seconds * 1000;
    while (performance.now() < deadline) {
      // A fresh conversation every 500 turns keeps the stored history realistic.
      if (durations.length % 500 === 499) conversationId = (await assistant.conversations.create('bench')).id;
      const t0 = performance.now();
      await assistant.handleTurn({ userId: 'bench', conversationId, input: { kind: 'text', text: 'what time is it' } });
      durations.push(performance.now() - t0);
    }
    durations.sort((a, b) => a - b);
    const total = durations.reduce((sum, d) => sum + d, 0);
    return { turnsPerSecond: (durations.length / total) * 1000, p99: durations[Math.floor(durations.length * 0.99)] ?? 0 };
  } finally {
    await assistant.close();
  }
}

process.stdout.write(`bench: ${seconds}s per run, ${connections} connections on loopback, servers in their own process\n`);
const bare = await load('echo');
const turn = await load('turn');
const core = await inProcessTurns();
const row = (name: string, f: Figures) => `${name.padEnd(36)} ${f.rps.toFixed(0).padStart(7)} req/s   p99 ${String(f.p99).padStart(4)} ms   errors ${f.errors}`;
process.stdout.write(`${row('(a) bare Fastify echo (baseline)', bare)}\n`);
process.stdout.write(`${row('(b) POST turn, local adapters', turn)}\n`);
process.stdout.write(`ratio b/a: ${(turn.rps / bare.rps).toFixed(3)}\n`);
process.stdout.write(`(c) core in-process, memory store: ${core.turnsPerSecond.toFixed(0)} turns/s, p99 ${core.p99.toFixed(2)} ms; ratio c/a ${(core.turnsPerSecond / bare.rps).toFixed(3)}\n`);
if (bare.errors > 0 || turn.errors > 0) process.exitCode = 1;
await (await import('./cold-start.js')).runColdStartBench();
