import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { noopTelemetry } from '../../core/defaults.js';
import { loadConfig } from '../../entrypoints/composition/config.js';
import { startPeriodicFlush } from '../../entrypoints/http/telemetry-flush.js';
import { startServer } from '../../entrypoints/http/server.js';
import { createLogger } from '../../entrypoints/composition/logger.js';

describe('startPeriodicFlush', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('flushes buffering telemetry every interval and once more when stopped', () => {
    // Prepare
    vi.useFakeTimers();
    const flush = vi.fn();
    const flusher = startPeriodicFlush({ ...noopTelemetry, flush } as typeof noopTelemetry, 60_000);
    // Act
    vi.advanceTimersByTime(59_999);
    const early = flush.mock.calls.length;
    vi.advanceTimersByTime(120_001);
    const periodic = flush.mock.calls.length;
    flusher.stop();
    vi.advanceTimersByTime(600_000);
    // Assess
    expect([early, periodic, flush.mock.calls.length]).toEqual([0, 3, 4]);
  });

  it('does nothing for telemetry that writes at once', () => {
    expect(() => startPeriodicFlush(noopTelemetry).stop()).not.toThrow();
  });
});

describe('the server with Powertools telemetry (aws profile)', () => {
  it('writes its buffered metrics when it closes, instead of losing them', async () => {
    // Prepare: the aws profile's telemetry with every port kept local, so no AWS service is needed
    const dataDir = await mkdtemp(join(tmpdir(), 'flush-'));
    const config = loadConfig({
      ASSISTANT_PROFILE: 'aws',
      CONVERSATION_STORE: 'memory',
      NLU: 'nlpjs',
      LLM: 'offline',
      TTS: 'none',
      STT: 'none',
      SENTIMENT: 'none',
      EVENTS: 'in-process',
      CACHE: 'memory',
      AUTH: 'local',
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    });
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const server = await startServer(config, createLogger('silent'));
      const token = await server.assistant.minter!.mint({ userId: 'flush', ttlSeconds: 60 });
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const { id } = (await (
        await fetch(`${server.url}/v1/conversations`, { method: 'POST', headers, body: '{}' })
      ).json()) as { id: string };
      // A retried turn is replayed, which counts TurnReplayed: a metric without dimensions, so it waits in the buffer.
      const turn = {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': 'k-1' },
        body: JSON.stringify({ text: 'hello' }),
      };
      await fetch(`${server.url}/v1/conversations/${id}/turns`, turn);
      const replayed = (await (await fetch(`${server.url}/v1/conversations/${id}/turns`, turn)).json()) as {
        replayed?: boolean;
      };
      const beforeClose = written.filter((line) => line.includes('"TurnReplayed"')).length;

      // Act
      await server.close();

      // Assess
      const documents = written
        .filter((line) => line.includes('"_aws"') && line.includes('"TurnReplayed"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(replayed.replayed).toBe(true);
      expect(beforeClose).toBe(0);
      expect(documents).toEqual([expect.objectContaining({ TurnReplayed: 1, service: 'Nova' })]);
    } finally {
      write.mockRestore();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
