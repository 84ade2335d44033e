import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessEventPublisher } from '../../adapters/local/in-process-event-publisher.js';
import { MemoryConversationStore } from '../../adapters/local/memory-conversation-store.js';
import type { DomainEvent } from '../../core/model/events.js';
import { AbortedError, DependencyUnavailableError } from '../../core/errors.js';
import type { AppendExchange } from '../../core/ports/conversation-store.js';
import type { SpeechSynthesizer, SynthesizeRequest } from '../../core/ports/speech-synthesizer.js';
import type { TurnRequest } from '../../core/model/turn.js';
import { createHttpHarness, expectProblem, silentWav, turnUrl, type HttpHarness } from './http-harness.js';

class RecordingSynthesizer implements SpeechSynthesizer {
  readonly capabilities = { formats: ['wav', 'mp3'] as const, voices: ['nova', 'echo'], defaultVoice: 'nova' };
  readonly requests: SynthesizeRequest[] = [];
  async synthesize(request: SynthesizeRequest) {
    this.requests.push(request);
    return { data: new Uint8Array(silentWav(80, 22_050)), format: request.format ?? 'wav', sampleRate: 22_050 };
  }
}

class UnavailableStore extends MemoryConversationStore {
  override async appendExchange(_exchange: AppendExchange): Promise<never> {
    throw new DependencyUnavailableError('conversation-store', 'throttled by db-7.internal:5432', {
      retryAfterSeconds: 3,
    });
  }
}

describe('HTTP POST /v1/conversations/:id/turns', () => {
  let h: HttpHarness;
  afterEach(() => h.app.close());

  it('answers a greeting with the full reply shape', async () => {
    // Prepare
    h = await createHttpHarness();
    const id = await h.conversation();

    // Act
    const response = await h.postTurn(id, { text: 'hello' });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({
      conversationId: id,
      turnId: expect.any(String),
      text: expect.stringMatching(/^Good morning! I'm Test Assistant/),
      heard: 'hello',
      intent: expect.any(String),
      confidence: 1,
      route: 'skill',
      skill: 'small-talk',
      slots: {},
      endConversation: false,
      timings: expect.objectContaining({ understand: expect.any(Number), total: expect.any(Number) }),
      version: 1,
    });
  });

  it('carries a conversation over HTTP: greeting, a question for the city, then the weather for Paris', async () => {
    // Prepare
    h = await createHttpHarness();
    const headers = await h.as('alice');
    const created = await h.app.inject({ method: 'POST', url: '/v1/conversations', headers });
    const id = created.json().id as string;
    const say = async (text: string) =>
      (await h.app.inject({ method: 'POST', url: turnUrl(id), headers, payload: { text } })).json();

    // Act
    const greeting = await say('hello');
    const ask = await say("what's the weather");
    const answer = await say('Paris');

    // Assess
    expect(greeting).toMatchObject({ route: 'skill', skill: 'small-talk', version: 1 });
    expect(ask).toMatchObject({ route: 'ask', text: 'For which city?', intent: 'weather.current', version: 2 });
    expect(answer).toMatchObject({ route: 'skill', skill: 'weather', slots: { city: 'Paris' }, version: 3 });
    expect(answer.text).toMatch(/^In Paris it's 18 degrees Celsius/);
    const history = await h.app.inject({ method: 'GET', url: `${turnUrl(id)}?limit=100`, headers });
    expect(history.json().items).toHaveLength(6);
  });

  it('replays a retried turn with the same Idempotency-Key instead of running it twice', async () => {
    // Prepare
    h = await createHttpHarness();
    const id = await h.conversation();
    const headers = { ...(await h.as('alice')), 'idempotency-key': 'turn-0001' };

    // Act
    const first = await h.app.inject({
      method: 'POST',
      url: turnUrl(id),
      headers,
      payload: { text: 'play some jazz' },
    });
    const retry = await h.app.inject({
      method: 'POST',
      url: turnUrl(id),
      headers,
      payload: { text: 'play some jazz' },
    });
    const history = await h.app.inject({
      method: 'GET',
      url: `${turnUrl(id)}?limit=100`,
      headers: await h.as('alice'),
    });

    // Assess
    expect(first.statusCode).toBe(200);
    expect(first.json().replayed).toBeUndefined();
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ replayed: true, turnId: first.json().turnId, text: first.json().text });
    expect(history.json().items).toHaveLength(2);
  });

  it('rejects a malformed Idempotency-Key with a 400 problem', async () => {
    h = await createHttpHarness();
    const id = await h.conversation();
    const response = await h.app.inject({
      method: 'POST',
      url: turnUrl(id),
      headers: { ...(await h.as('alice')), 'idempotency-key': 'has spaces and / slashes' },
      payload: { text: 'hello' },
    });
    expectProblem(response, 400);
  });

  it('speaks the reply when asked, as base64 with its MIME type and sample rate', async () => {
    // Prepare
    const synthesizer = new RecordingSynthesizer();
    h = await createHttpHarness({ assistant: { synthesizer } });
    const id = await h.conversation();

    // Act
    const response = await h.postTurn(id, { text: 'hello', speech: { format: 'mp3', voice: 'echo' } });

    // Assess
    expect(response.statusCode).toBe(200);
    const { audio } = response.json();
    expect(audio).toEqual({ data: expect.any(String), format: 'mp3', mimeType: 'audio/mpeg', sampleRate: 22_050 });
    expect(Buffer.from(audio.data, 'base64').equals(silentWav(80, 22_050))).toBe(true);
    expect(synthesizer.requests[0]).toMatchObject({ format: 'mp3', voice: 'echo' });
  });

  it('still answers in text, with speechError, when speech was wanted but no synthesizer exists', async () => {
    h = await createHttpHarness();
    const id = await h.conversation();
    const response = await h.postTurn(id, { text: 'hello', speech: {} });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ speechError: 'no speech synthesizer is configured', skill: 'small-talk' });
    expect(response.json().audio).toBeUndefined();
  });

  it('answers 503 with Retry-After and writes nothing when the store is unavailable', async () => {
    // Prepare
    const events = new InProcessEventPublisher();
    const published: DomainEvent[] = [];
    events.subscribe('*', (event) => {
      published.push(event);
    });
    h = await createHttpHarness({ assistant: { conversations: new UnavailableStore(), events } });
    const id = await h.conversation();
    published.length = 0;

    // Act
    const response = await h.postTurn(id, { text: 'hello' });

    // Assess
    const problem = expectProblem(response, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(response.headers['retry-after']).toBe('3');
    expect(problem.detail).not.toContain('db-7');
    expect(await h.assistant.service.get('alice', id)).toMatchObject({ version: 0, turnCount: 0 });
    await expect(h.assistant.service.history('alice', id, { limit: 10 })).resolves.toEqual({ items: [] });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(published).toEqual([]);
  });

  it('completes a turn over a real socket without aborting it', async () => {
    h = await createHttpHarness();
    const id = await h.conversation();
    const base = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${base}${turnUrl(id)}`, {
      method: 'POST',
      headers: { ...(await h.as('alice')), 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello' }),
    });
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toMatchObject({ skill: 'small-talk' });
  });

  it('aborts the turn when the client disconnects, and keeps serving', async () => {
    // Prepare
    let started!: () => void;
    let aborted!: (reason: unknown) => void;
    const turnStarted = new Promise<void>((resolve) => (started = resolve));
    const turnAborted = new Promise<unknown>((resolve) => (aborted = resolve));
    let seen: TurnRequest | undefined;
    h = await createHttpHarness({
      app: {
        handleTurn: (request) =>
          new Promise((_resolve, reject) => {
            seen = request;
            request.signal?.addEventListener('abort', () => {
              aborted(request.signal?.reason);
              reject(request.signal?.reason); // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors -- the abort reason, as fetch rejects
            });
            started();
          }),
      },
    });
    const id = await h.conversation();
    const base = new URL(await h.app.listen({ host: '127.0.0.1', port: 0 }));

    // Act
    const request = http.request({
      host: base.hostname,
      port: base.port,
      path: turnUrl(id),
      method: 'POST',
      headers: { ...(await h.as('alice')), 'content-type': 'application/json' },
    });
    request.on('error', () => undefined);
    request.end(JSON.stringify({ text: 'hello' }));
    await turnStarted;
    request.destroy();

    // Assess
    await expect(turnAborted).resolves.toBeInstanceOf(AbortedError);
    expect(seen?.signal?.aborted).toBe(true);
    const health = await fetch(new URL('/health', base));
    expect(health.status).toBe(200);
  });
});
