import { describe, expect, it } from 'vitest';
import { ConversationNotFoundError, ValidationError } from '../../core/errors.js';
import type { DomainEvent } from '../../core/model/events.js';
import { ScriptedLanguageModel } from '../doubles/scripted-language-model.js';
import { createTestAssistant } from '../support/test-assistant.js';

const text = (t: string) => ({ kind: 'text' as const, text: t });

describe('turn pipeline', () => {
  it('routes a confident skill intent to its skill', async () => {
    const a = await createTestAssistant();
    const conversation = await a.service.create('u1');
    const reply = await a.handleTurn({ userId: 'u1', conversationId: conversation.id, input: text('hello') });
    expect(reply.route).toBe('skill');
    expect(reply.skill).toBe('small-talk');
    expect(reply.text).toMatch(/Good morning! I'm Test Assistant/);
    expect(reply.version).toBe(1);
    expect(Object.keys(reply.timings)).toEqual(
      expect.arrayContaining(['understand', 'decide', 'respond', 'persist', 'total']),
    );
  });

  it('asks for a missing slot and fills it on the next turn', async () => {
    const a = await createTestAssistant();
    const { id } = await a.service.create('u1');
    const first = await a.handleTurn({ userId: 'u1', conversationId: id, input: text("what's the weather") });
    expect(first).toMatchObject({ route: 'ask', text: 'For which city?', intent: 'weather.current' });
    const second = await a.handleTurn({ userId: 'u1', conversationId: id, input: text('Paris') });
    expect(second).toMatchObject({
      route: 'skill',
      skill: 'weather',
      intent: 'weather.current',
      slots: { city: 'Paris' },
    });
    expect(second.text).toMatch(/^In Paris it's 18 degrees Celsius and partly cloudy/);
    expect(a.weather.lookups).toEqual(['Paris']);
    const stored = await a.service.get('u1', id);
    expect(stored.state.pending).toBeUndefined();
  });

  it('uses the saved home city before asking, in the preferred units', async () => {
    const a = await createTestAssistant();
    await a.service.updatePreferences('u1', { homeCity: 'Oslo', units: 'imperial' });
    const { id } = await a.service.create('u1');
    const reply = await a.handleTurn({ userId: 'u1', conversationId: id, input: text("what's the weather") });
    expect(reply.text).toMatch(/^In Oslo it's 64 degrees Fahrenheit/);
  });

  it('drops the pending question when the user clearly asks for something else', async () => {
    const a = await createTestAssistant();
    const { id } = await a.service.create('u1');
    await a.handleTurn({ userId: 'u1', conversationId: id, input: text("what's the weather") });
    const reply = await a.handleTurn({ userId: 'u1', conversationId: id, input: text('what time is it') });
    expect(reply).toMatchObject({ route: 'skill', skill: 'time', text: "It's 9:30 AM UTC." });
  });

  it('sends unknown requests to the language model with a bounded history window', async () => {
    const model = new ScriptedLanguageModel('Forty-two.');
    const a = await createTestAssistant({ model });
    const { id } = await a.service.create('u1');
    for (let i = 0; i < 8; i += 1) await a.handleTurn({ userId: 'u1', conversationId: id, input: text('hello') });
    const reply = await a.handleTurn({ userId: 'u1', conversationId: id, input: text('what is the meaning of life') });
    expect(reply).toMatchObject({ route: 'llm', text: 'Forty-two.' });
    const request = model.requests.at(-1);
    expect(request?.messages).toHaveLength(11);
    expect(request?.messages.at(-1)).toEqual({ role: 'user', content: 'what is the meaning of life' });
    expect(request?.system).not.toContain('meaning of life');
  });

  it('keeps serving skills and says so when the language model is down', async () => {
    const model = new ScriptedLanguageModel();
    model.down = true;
    const a = await createTestAssistant({ model });
    const { id } = await a.service.create('u1');
    const reply = await a.handleTurn({ userId: 'u1', conversationId: id, input: text('tell me a joke') });
    expect(reply.text).toMatch(/^I can't answer that right now, but I can still help with/);
    const skill = await a.handleTurn({ userId: 'u1', conversationId: id, input: text('what time is it') });
    expect(skill.skill).toBe('time');
  });

  it('plays music, reports what is playing and keeps the queue with the conversation', async () => {
    const a = await createTestAssistant();
    const { id } = await a.service.create('u1');
    const play = await a.handleTurn({ userId: 'u1', conversationId: id, input: text('play some jazz') });
    expect(play.text).toBe('Playing Blue Night by Ella Moon, then 1 more.');
    expect(play.data).toMatchObject({
      playback: { status: 'playing', track: { streamUrl: 'https://example.test/t1.mp3' } },
    });
    await a.handleTurn({ userId: 'u1', conversationId: id, input: text('next song') });
    await a.handleTurn({ userId: 'u1', conversationId: id, input: text('pause') });
    const playing = await a.handleTurn({ userId: 'u1', conversationId: id, input: text("what's playing") });
    expect(playing.text).toBe('This is Slow Swing by Ella Moon (paused).');
  });

  it('serialises concurrent turns on one conversation: each stored once, in order', async () => {
    const a = await createTestAssistant();
    const { id } = await a.service.create('u1');
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => a.handleTurn({ userId: 'u1', conversationId: id, input: text('hello') })),
    );
    expect(replies.map((r) => r.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const history = await a.service.history('u1', id, { limit: 100 });
    expect(history.items).toHaveLength(40);
    expect(history.items.map((t) => t.role)).toEqual(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'user' : 'assistant')),
    );
  });

  it('rejects empty text and unknown conversations without writing anything', async () => {
    const a = await createTestAssistant();
    const { id } = await a.service.create('u1');
    await expect(a.handleTurn({ userId: 'u1', conversationId: id, input: text('   ') })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(a.handleTurn({ userId: 'u2', conversationId: id, input: text('hello') })).rejects.toBeInstanceOf(
      ConversationNotFoundError,
    );
    expect((await a.service.get('u1', id)).version).toBe(0);
  });

  it('answers help from the registered skills', async () => {
    const a = await createTestAssistant();
    const { id } = await a.service.create('u1');
    const reply = await a.handleTurn({ userId: 'u1', conversationId: id, input: text('what can you do') });
    expect(reply.text).toContain('the weather and forecast for a city');
    expect(reply.data).toEqual({ skills: ['small-talk', 'weather', 'music', 'time'] });
  });
});

describe('idempotent turns', () => {
  it('replays the stored reply for a repeated key instead of storing the turn twice', async () => {
    // Prepare
    const a = await createTestAssistant();
    const { id } = await a.service.create('u1');
    const first = await a.handleTurn({
      userId: 'u1',
      conversationId: id,
      input: text('play some jazz'),
      idempotencyKey: 'k-1',
    });

    // Act
    const again = await a.handleTurn({
      userId: 'u1',
      conversationId: id,
      input: text('play some jazz'),
      idempotencyKey: 'k-1',
    });
    const other = await a.handleTurn({
      userId: 'u1',
      conversationId: id,
      input: text('play some jazz'),
      idempotencyKey: 'k-2',
    });

    // Assess
    expect(again).toMatchObject({
      replayed: true,
      turnId: first.turnId,
      text: first.text,
      route: 'skill',
      skill: 'music',
      intent: 'music.play',
      data: first.data,
      version: 1,
    });
    expect(other.replayed).toBeUndefined();
    expect((await a.service.history('u1', id, { limit: 10 })).items).toHaveLength(4);
  });

  it('replays a turn whose write landed although the caller saw a failure', async () => {
    // Prepare: the store commits the exchange, then reports the dependency as unavailable (a lost acknowledgement).
    const { MemoryConversationStore } = await import('../../adapters/local/memory-conversation-store.js');
    const { DependencyUnavailableError } = await import('../../core/errors.js');
    const store = new MemoryConversationStore();
    let loseNextAck = true;
    const flaky = Object.create(store) as typeof store;
    flaky.appendExchange = async (exchange) => {
      const stored = await store.appendExchange(exchange);
      if (loseNextAck) {
        loseNextAck = false;
        throw new DependencyUnavailableError('store', 'connection reset after commit');
      }
      return stored;
    };
    const a = await createTestAssistant({ conversations: flaky });
    const { id } = await a.service.create('u1');

    // Act
    await expect(
      a.handleTurn({ userId: 'u1', conversationId: id, input: text('hello'), idempotencyKey: 'retry-me' }),
    ).rejects.toThrow(/connection reset/);
    const retried = await a.handleTurn({
      userId: 'u1',
      conversationId: id,
      input: text('hello'),
      idempotencyKey: 'retry-me',
    });

    // Assess
    expect(retried).toMatchObject({ replayed: true, skill: 'small-talk' });
    const history = await a.service.history('u1', id, { limit: 10 });
    expect(history.items.map((turn) => turn.text)).toEqual(['hello', retried.text]);
  });

  it("writes a turn's events with its turns and delivers each once, by the time the reply is back", async () => {
    // Prepare: another writer moves the conversation once, so the first attempt conflicts and is answered again.
    const { MemoryConversationStore } = await import('../../adapters/local/memory-conversation-store.js');
    const { MemoryOutboxStore } = await import('../../adapters/local/memory-outbox-store.js');
    const outbox = new MemoryOutboxStore();
    const store = new MemoryConversationStore({ outbox });
    let interfere = true;
    const contended = Object.create(store) as typeof store;
    contended.appendExchange = async (exchange) => {
      if (interfere) {
        interfere = false;
        const at = exchange.at;
        const other = [
          { id: 'other-u', role: 'user' as const, text: 'thanks', at },
          { id: 'other-a', role: 'assistant' as const, text: 'You are welcome.', at },
        ];
        await store.appendExchange({ ...exchange, turns: other, events: [] });
      }
      return store.appendExchange(exchange);
    };
    const delivered: DomainEvent[] = [];
    const a = await createTestAssistant({
      conversations: contended,
      events: { publish: async ({ events }) => void delivered.push(...events) },
      overrides: { memoryOutbox: outbox },
    });
    const { id } = await a.service.create('u1');
    delivered.length = 0;

    // Act
    const reply = await a.handleTurn({ userId: 'u1', conversationId: id, input: text('hello') });

    // Assess: delivered before handleTurn resolved, once, for the stored turns only (not the conflicted attempt's).
    const stored = (await a.service.history('u1', id, { limit: 10 })).items.slice(2);
    expect(reply.version).toBe(2);
    expect(delivered.map((event) => [event.type, 'turnId' in event ? event.turnId : undefined])).toEqual([
      ['UserInteraction', stored[0]?.id],
      ['AssistantReplied', stored[1]?.id],
    ]);
    await expect(outbox.size()).resolves.toBe(0);
  });
});
