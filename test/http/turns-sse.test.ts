import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LanguageModelUnavailableError } from '../../core/errors.js';
import type { CompletionChunk } from '../../core/model/completion.js';
import type { CompletionRequest } from '../../core/ports/language-model.js';
import { ScriptedLanguageModel } from '../doubles/scripted-language-model.js';
import { createHttpHarness, expectProblem, turnUrl, type HttpHarness, type ProblemBody } from './http-harness.js';

/** Says a few words, then loses its backend. */
class FailingMidStreamModel extends ScriptedLanguageModel {
  override async *stream(_request: CompletionRequest): AsyncIterable<CompletionChunk> {
    yield { type: 'text', text: 'I was saying ' };
    await new Promise((resolve) => setImmediate(resolve));
    throw new LanguageModelUnavailableError('scripted: backend went away at 10.0.0.7');
  }
}

interface SseEvent {
  event: string;
  data: unknown;
}

function parseSse(body: string): SseEvent[] {
  return body
    .split('\n\n')
    .filter((block) => block.trim().length > 0)
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines.find((l) => l.startsWith('data: '))?.slice(6) ?? 'null';
      return { event, data: JSON.parse(data) as unknown };
    });
}

const SSE = { accept: 'text/event-stream' };
describe('HTTP turns as server-sent events', () => {
  let h: HttpHarness;
  afterEach(() => h.app.close());

  it('streams the model deltas, then the stored turn; the deltas join to the stored reply', async () => {
    // Prepare
    h = await createHttpHarness({
      assistant: { model: new ScriptedLanguageModel('Ask me again in a minute, please.') },
    });
    const { id } = await h.assistant.service.create('alice');
    // Act
    const response = await h.app.inject({
      method: 'POST',
      url: turnUrl(id),
      headers: { ...(await h.as('alice')), ...SSE },
      payload: { text: 'tell me a joke' },
    });
    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(response.headers['x-request-id']).toBeDefined();
    const events = parseSse(response.body);
    expect(events[0]).toEqual({ event: 'heard', data: { text: 'tell me a joke' } });
    const deltas = events.filter((e) => e.event === 'delta').map((e) => (e.data as { text: string }).text);
    expect(deltas.length).toBeGreaterThan(3);
    const last = events.at(-1) as { event: string; data: { text: string; turnId: string; version: number } };
    expect(last.event).toBe('turn');
    expect(deltas.join('')).toBe(last.data.text);
    const history = await h.assistant.service.history('alice', id, { limit: 10 });
    expect(history.items.at(-1)).toMatchObject({ id: last.data.turnId, text: deltas.join('') });
  });

  it('sends a skill answer as one delta', async () => {
    h = await createHttpHarness();
    const { id } = await h.assistant.service.create('alice');
    const response = await h.app.inject({
      method: 'POST',
      url: turnUrl(id),
      headers: { ...(await h.as('alice')), ...SSE },
      payload: { text: 'what time is it' },
    });
    const events = parseSse(response.body);
    expect(events.map((e) => e.event)).toEqual(['heard', 'delta', 'turn']);
    expect(events[1]?.data).toEqual({ text: (events[2]?.data as { text: string }).text });
  });

  it('answers an error before the stream starts with an ordinary problem response', async () => {
    h = await createHttpHarness();
    const response = await h.app.inject({
      method: 'POST',
      url: turnUrl('no-such-conversation'),
      headers: { ...(await h.as('alice')), ...SSE },
      payload: { text: 'hello' },
    });
    expectProblem(response, 404, 'CONVERSATION_NOT_FOUND');
  });

  it('ends with an error event carrying the problem when the turn fails after the stream started', async () => {
    h = await createHttpHarness({ assistant: { model: new FailingMidStreamModel() } });
    const { id } = await h.assistant.service.create('alice');
    const response = await h.app.inject({
      method: 'POST',
      url: turnUrl(id),
      headers: { ...(await h.as('alice')), ...SSE },
      payload: { text: 'tell me a joke' },
    });
    expect(response.statusCode).toBe(200);
    const events = parseSse(response.body);
    expect(events.map((e) => e.event)).toEqual(['heard', 'delta', 'error']);
    const problem = events[2]?.data as ProblemBody;
    expect(problem).toMatchObject({
      status: 503,
      code: 'LLM_UNAVAILABLE',
      requestId: response.headers['x-request-id'],
    });
    expect(problem.detail).not.toContain('10.0.0.7');
    expect((await h.assistant.service.history('alice', id, { limit: 10 })).items).toEqual([]);
  });

  it('aborts the model call and stores nothing when the client disconnects mid-stream', async () => {
    // Prepare
    const model = new ScriptedLanguageModel('one two three four five six seven eight nine ten eleven twelve');
    model.streamDelayMs = 20;
    h = await createHttpHarness({ assistant: { model } });
    const { id } = await h.assistant.service.create('alice');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.server.address() as AddressInfo;
    const headers = { ...(await h.as('alice')), ...SSE, 'content-type': 'application/json' };
    // Act: read until the first delta, then hang up.
    await new Promise<void>((resolve, reject) => {
      const request = http.request({ port, host: '127.0.0.1', method: 'POST', path: turnUrl(id), headers }, (res) => {
        res.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('event: delta')) {
            request.destroy();
            resolve();
          }
        });
      });
      request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
      request.end(JSON.stringify({ text: 'tell me a joke' }));
    });
    // Assess
    await expect.poll(() => model.abortedStreams, { timeout: 2000 }).toBe(1);
    expect((await h.assistant.service.history('alice', id, { limit: 10 })).items).toEqual([]);
  });

  it('answers JSON when streaming is turned off (the Lambda API), whatever the client accepts', async () => {
    h = await createHttpHarness({ app: { streaming: false } });
    const { id } = await h.assistant.service.create('alice');
    const response = await h.app.inject({
      method: 'POST',
      url: turnUrl(id),
      headers: { ...(await h.as('alice')), ...SSE },
      payload: { text: 'what time is it' },
    });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toMatchObject({ skill: 'time' });
  });
});
