import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MemoryConversationStore } from '../../adapters/local/memory-conversation-store.js';
import { MemoryOutboxStore } from '../../adapters/local/memory-outbox-store.js';
import type { DomainEvent } from '../../core/model/events.js';
import { loadConfig } from '../../entrypoints/composition/config.js';
import { createContainer, resolveAssistant } from '../../entrypoints/composition/container.js';
import { createLogger } from '../../entrypoints/composition/logger.js';
import { ScriptedLanguageModel } from '../doubles/scripted-language-model.js';
import { createTestAssistant } from '../support/test-assistant.js';

const text = (t: string) => ({ kind: 'text' as const, text: t });

/** EVENTS=none (the local profile's default): nothing takes events, so a turn writes and publishes none. */
describe('EVENTS=none and EVENTS=in-process', () => {
  it('stores the turns, writes no events with them and publishes nothing, a failed turn included', async () => {
    // Prepare: a bus that would record anything handed to it, and the memory store's outbox to look into.
    const outbox = new MemoryOutboxStore();
    const delivered: DomainEvent[] = [];
    const model = new ScriptedLanguageModel();
    const a = await createTestAssistant({
      model,
      env: { EVENTS: 'none' },
      conversations: new MemoryConversationStore({ outbox }),
      events: { publish: async ({ events }) => void delivered.push(...events) },
      overrides: { memoryOutbox: outbox },
    });
    const { id } = await a.service.create('u1');

    // Act: a skill's turn, then one whose model is down (a degraded reply, which would be a SystemError event). The
    // conversation's creation would have published SessionStarted.
    const reply = await a.handleTurn({ userId: 'u1', conversationId: id, input: text('hello') });
    model.down = true;
    const degraded = await a.handleTurn({ userId: 'u1', conversationId: id, input: text('why is the sky blue') });

    // Assess
    expect(reply.version).toBe(1);
    expect(degraded.version).toBe(2);
    expect((await a.service.history('u1', id, { limit: 10 })).items).toHaveLength(4);
    expect(delivered).toEqual([]);
    await expect(outbox.size()).resolves.toBe(0);
    expect(a.deps.relay).toBeUndefined();
    expect(a.deps.events).toBeUndefined();
    await a.close();
  });

  it('is the local default: the SQLite file keeps the turns and its outbox table stays empty', async () => {
    // Prepare: the local profile as `npm start` composes it, but for the voice ports this test does not need.
    const dataDir = await mkdtemp(join(tmpdir(), 'events-none-'));
    const config = loadConfig({ DATA_DIR: dataDir, TTS: 'none', STT: 'none', LOG_LEVEL: 'silent' });
    const container = await createContainer(config, { logger: createLogger('silent') });
    try {
      expect(config.adapters.events).toBe('none');
      await expect(container.getAsync('eventRelay')).resolves.toBeNull();
      await expect(container.getAsync('eventPublisher')).resolves.toBeNull();
      const assistant = await resolveAssistant(container);
      const { id } = await assistant.conversations.create('u1');

      // Act
      const reply = await assistant.handleTurn({ userId: 'u1', conversationId: id, input: text('what time is it') });
      await assistant.close();

      // Assess: read back from the file by another connection.
      const db = new BetterSqlite3(join(dataDir, 'assistant.db'), { readonly: true });
      try {
        expect(reply.version).toBe(1);
        expect(db.prepare('SELECT COUNT(*) FROM turns').pluck().get()).toBe(2);
        expect(db.prepare('SELECT COUNT(*) FROM outbox').pluck().get()).toBe(0);
      } finally {
        db.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('EVENTS=in-process: a subscriber in this process gets every turn event once, from the SQLite outbox', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'events-in-process-'));
    const env = { DATA_DIR: dataDir, TTS: 'none', STT: 'none', LOG_LEVEL: 'silent' };
    const assistant = await resolveAssistant(
      await createContainer(loadConfig({ ...env, EVENTS: 'in-process' }), { logger: createLogger('silent') }),
    );
    const none = await resolveAssistant(await createContainer(loadConfig(env), { logger: createLogger('silent') }));
    try {
      const seen: DomainEvent[] = [];
      const unsubscribe = assistant.subscribe?.('*', (event) => void seen.push(event));
      const { id } = await assistant.conversations.create('u1');

      // Act
      await assistant.handleTurn({ userId: 'u1', conversationId: id, input: text('what time is it') });
      await new Promise((resolve) => setImmediate(resolve));
      unsubscribe?.();
      await assistant.handleTurn({ userId: 'u1', conversationId: id, input: text('thanks') });
      await new Promise((resolve) => setImmediate(resolve));

      // Assess: the listener ran after the turn was stored, once per event, and not after unsubscribing.
      expect(seen.map((event) => event.type)).toEqual(['SessionStarted', 'UserInteraction', 'AssistantReplied']);
      expect(none.subscribe).toBeUndefined();
    } finally {
      await assistant.close();
      await none.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
