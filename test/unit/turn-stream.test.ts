import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../core/errors.js';
import type { ReplyStream } from '../../core/model/turn.js';
import { ScriptedLanguageModel } from '../doubles/scripted-language-model.js';
import { createTestAssistant } from '../support/test-assistant.js';

const text = (t: string) => ({ kind: 'text' as const, text: t });

function collector(extra: Partial<ReplyStream> = {}) {
  const deltas: string[] = [];
  const heard: string[] = [];
  const stream: ReplyStream = { delta: (d) => deltas.push(d), heard: (h) => heard.push(h), ...extra };
  return { deltas, heard, stream };
}

describe('turn pipeline, streaming the reply', () => {
  it('streams the model reply in deltas that join to exactly the stored reply', async () => {
    // Prepare
    const model = new ScriptedLanguageModel('  The answer is forty-two, as everyone knows.  \n');
    const a = await createTestAssistant({ model });
    const { id } = await a.service.create('u1');
    const { deltas, heard, stream } = collector();
    // Act
    const reply = await a.handleTurn({ userId: 'u1', conversationId: id, input: text('tell me a joke'), stream });
    // Assess
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(reply.text);
    expect(reply.text).toBe('The answer is forty-two, as everyone knows.');
    expect(heard).toEqual(['tell me a joke']);
    const history = await a.service.history('u1', id, { limit: 10 });
    expect(history.items.at(-1)?.text).toBe(reply.text);
  });

  it('sends a skill answer as one delta', async () => {
    const a = await createTestAssistant();
    const { id } = await a.service.create('u1');
    const { deltas, stream } = collector();
    const reply = await a.handleTurn({ userId: 'u1', conversationId: id, input: text('what time is it'), stream });
    expect(deltas).toEqual([reply.text]);
  });

  it('stores only the delivered part of an interrupted reply, marked interrupted, and stops the model', async () => {
    // Prepare
    const model = new ScriptedLanguageModel('one two three four five six seven eight nine ten');
    model.streamDelayMs = 5;
    const a = await createTestAssistant({ model });
    const { id } = await a.service.create('u1');
    const interruption = new AbortController();
    const { deltas, stream } = collector({
      interruption: interruption.signal,
      delivered: async () => ({ text: 'one two', interrupted: true }),
    });
    stream.delta = (d) => {
      deltas.push(d);
      if (deltas.length === 3) interruption.abort();
    };
    // Act
    const reply = await a.handleTurn({ userId: 'u1', conversationId: id, input: text('tell me a joke'), stream });
    // Assess
    expect(model.abortedStreams).toBe(1);
    expect(reply).toMatchObject({ text: 'one two', interrupted: true });
    const history = await a.service.history('u1', id, { limit: 10 });
    expect(history.items.at(-1)).toMatchObject({ role: 'assistant', text: 'one two', interrupted: true });
  });

  it('stores nothing when the caller abandons the turn mid-stream', async () => {
    const model = new ScriptedLanguageModel('one two three four five six seven eight nine ten');
    model.streamDelayMs = 5;
    const a = await createTestAssistant({ model });
    const { id } = await a.service.create('u1');
    const abandon = new AbortController();
    const { stream } = collector({ delivered: async () => ({ text: '', interrupted: true }) });
    stream.delta = () => abandon.abort();
    await expect(
      a.handleTurn({ userId: 'u1', conversationId: id, input: text('tell me a joke'), stream, signal: abandon.signal }),
    ).rejects.toMatchObject({ code: ErrorCodes.ABORTED });
    expect(model.abortedStreams).toBe(1);
    expect((await a.service.history('u1', id, { limit: 10 })).items).toEqual([]);
  });

  it('after a version conflict stores the reply it streamed instead of asking the model again', async () => {
    // Prepare: another writer moves the conversation while the reply is being delivered.
    const { MemoryConversationStore } = await import('../../adapters/local/memory-conversation-store.js');
    const store = new MemoryConversationStore();
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
    let answers = 0;
    const model = new ScriptedLanguageModel(() => `Answer number ${(answers += 1)}.`);
    const a = await createTestAssistant({ model, conversations: contended });
    const { id } = await a.service.create('u1');
    const { deltas, stream } = collector({ delivered: async () => ({ text: 'Answer number 1.', interrupted: false }) });
    // Act
    const reply = await a.handleTurn({ userId: 'u1', conversationId: id, input: text('tell me a joke'), stream });
    // Assess
    expect(model.requests).toHaveLength(1);
    expect(deltas.join('')).toBe('Answer number 1.');
    expect(reply).toMatchObject({ text: 'Answer number 1.', version: 2 });
    const history = await a.service.history('u1', id, { limit: 10 });
    expect(history.items.map((t) => t.text)).toEqual([
      'thanks',
      'You are welcome.',
      'tell me a joke',
      'Answer number 1.',
    ]);
  });
});
