import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { loadConfig } from '../entrypoints/config/config.js';
import { composeAssistant } from '../entrypoints/container.js';
import { createLocalTokenAuthority } from '../entrypoints/local-module.js';
import { createLogger } from '../entrypoints/logger.js';
import { startServer } from '../entrypoints/http/server.js';

/**
 * Throughput of the turn route against a bare Fastify echo route measured in the same run on the same machine,
 * so the ratio says what the assistant costs regardless of how loaded the machine is.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const body = JSON.stringify({ text: 'what time is it' });

interface Figures {
  rps: number;
  p99: number;
  errors: number;
}

async function load(url: string, headers: Record<string, string> = {}): Promise<Figures> {
  const result = await autocannon({ url, method: 'POST', connections, duration: seconds, body, headers: { 'content-type': 'application/json', ...headers } });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx };
}

async function bareFastify(): Promise<Figures> {
  const app = Fastify({ logger: false });
  app.post('/echo', async (request) => request.body);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    return await load(`${url}/echo`);
  } finally {
    await app.close();
  }
}

async function turnRoute(dataDir: string): Promise<Figures> {
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '0', TTS: 'none' });
  const server = await startServer(config, createLogger('silent'));
  try {
    const token = await (await createLocalTokenAuthority(config)).mint({ userId: 'bench', ttlSeconds: 3600 });
    const headers = { authorization: `Bearer ${token}` };
    const created = await fetch(`${server.url}/v1/conversations`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
    const { id } = (await created.json()) as { id: string };
    return await load(`${server.url}/v1/conversations/${id}/turns`, headers);
  } finally {
    await server.close();
  }
}

async function inProcessTurns(dataDir: string): Promise<{ turnsPerSecond: number; p99: number }> {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', CONVERSATION_STORE: 'memory', TTS: 'none' });
  const assistant = await composeAssistant(config, { logger: createLogger('silent') });
  try {
    const durations: number[] = [];
    const deadline = performance.now() + seconds * 1000;
    let conversationId = (await assistant.conversations.create('bench')).id;
    while (performance.now() < deadline) {
      // A fresh conversation every 500 turns keeps the history window realistic.
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

const dataDir = await mkdtemp(join(tmpdir(), 'assistant-bench-'));
try {
  process.stdout.write(`bench: ${seconds}s per run, ${connections} connections, loopback\n`);
  const bare = await bareFastify();
  const turn = await turnRoute(dataDir);
  const core = await inProcessTurns(dataDir);
  const row = (name: string, f: Figures) => `${name.padEnd(34)} ${f.rps.toFixed(0).padStart(8)} req/s   p99 ${String(f.p99).padStart(5)} ms   errors ${f.errors}`;
  process.stdout.write(`${row('(a) bare Fastify echo (baseline)', bare)}\n`);
  process.stdout.write(`${row('(b) POST turn, local adapters', turn)}\n`);
  process.stdout.write(`ratio b/a: ${(turn.rps / bare.rps).toFixed(3)} of baseline throughput\n`);
  process.stdout.write(`(c) core in-process, memory store: ${core.turnsPerSecond.toFixed(0)} turns/s, p99 ${core.p99.toFixed(2)} ms; c/a ${(core.turnsPerSecond / bare.rps).toFixed(3)}\n`);
  if (bare.errors > 0 || turn.errors > 0) process.exitCode = 1;
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
