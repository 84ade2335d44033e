import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessEventPublisher } from '../../adapters/local/in-process-event-publisher.js';
import { MemoryConversationStore } from '../../adapters/local/memory-conversation-store.js';
import { OutboxEventPublisher } from '../../adapters/decorators/outbox-event-publisher.js';
import { openSqliteDatabase, type Database } from '../../adapters/local/sqlite-database.js';
import { SqliteConversationStore } from '../../adapters/local/sqlite-conversation-store.js';
import { SqliteOutboxStore } from '../../adapters/local/sqlite-outbox-store.js';
import {
  AbortedError,
  CoreError,
  DependencyUnavailableError,
  ErrorCodes,
  LanguageModelUnavailableError,
  SpeechUnavailableError,
} from '../../core/errors.js';
import type { DomainEvent } from '../../core/model/events.js';
import type { SpeechSynthesizer, SynthesizeRequest } from '../../core/ports/speech-synthesizer.js';
import { injectFaults } from '../doubles/fault-injector.js';
import { ScriptedLanguageModel } from '../doubles/scripted-language-model.js';
import { createHttpHarness, expectProblem, silentWav, type HttpHarness } from '../http/http-harness.js';

class WavSynthesizer implements SpeechSynthesizer {
  readonly capabilities = { formats: ['wav'] as const, voices: ['nova'], defaultVoice: 'nova' };
  async synthesize(_request: SynthesizeRequest) {
    return { data: new Uint8Array(silentWav(80)), format: 'wav' as const, sampleRate: 16_000 };
  }
}

const turnUrl = (id: string) => `/v1/conversations/${id}/turns`;

describe('fault injection over HTTP', () => {
  let h: HttpHarness | undefined;
  const databases: Database[] = [];
  afterEach(async () => {
    await h?.app.close();
    h = undefined;
    for (const db of databases.splice(0)) db.close();
  });

  async function say(id: string, text: string, extra: Record<string, unknown> = {}) {
    if (!h) throw new Error('no app');
    return h.app.inject({
      method: 'POST',
      url: turnUrl(id),
      headers: await h.as('alice'),
      payload: { text, ...extra },
    });
  }

  it('language model down, timing out or slow: says it cannot answer that now, and every skill still works', async () => {
    // Prepare
    const model = injectFaults(new ScriptedLanguageModel('An answer from the model.'));
    const events = new InProcessEventPublisher();
    const errors: DomainEvent[] = [];
    events.subscribe('SystemError', (event) => void errors.push(event));
    h = await createHttpHarness({ assistant: { model: model.port, events } });
    const { id } = await h.assistant.service.create('alice');

    // Act
    model.set('complete', { error: () => new LanguageModelUnavailableError('connection refused by 10.0.0.9') });
    const down = await say(id, 'tell me a joke');
    const time = await say(id, 'what time is it');
    const ask = await say(id, "what's the weather");
    const weather = await say(id, 'Paris');
    model.set('complete', { timeoutMs: 20 });
    const timedOut = await say(id, 'why is the sky blue');
    model.set('complete', { latencyMs: 30 });
    const slow = await say(id, 'why is the sky blue');
    model.clear();
    const back = await say(id, 'why is the sky blue');

    // Assess
    for (const response of [down, time, ask, weather, timedOut, slow, back])
      expect(response.statusCode, response.body).toBe(200);
    expect(down.json()).toMatchObject({
      route: 'llm',
      text: expect.stringMatching(/^I can't answer that right now, but I can still help with: .*the time/),
    });
    expect(down.body).not.toContain('10.0.0.9');
    expect(time.json()).toMatchObject({ route: 'skill', skill: 'time' });
    expect(ask.json()).toMatchObject({ route: 'ask', text: 'For which city?' });
    expect(weather.json()).toMatchObject({ route: 'skill', skill: 'weather', slots: { city: 'Paris' } });
    expect(timedOut.json().text).toMatch(/^I can't answer that right now/);
    expect(slow.json().text).toBe('An answer from the model.');
    expect(back.json().text).toBe('An answer from the model.');
    expect(model.faulted('complete')).toBe(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors.map((e) => (e as { code: string }).code)).toEqual([ErrorCodes.LLM_UNAVAILABLE, ErrorCodes.TIMEOUT]);
    expect((await h.assistant.service.get('alice', id)).version).toBe(7);
  });

  it('speech synthesis down or timing out: 200 with the text reply and a speechError flag, no audio', async () => {
    // Prepare
    const synthesizer = injectFaults<SpeechSynthesizer>(new WavSynthesizer());
    h = await createHttpHarness({ assistant: { synthesizer: synthesizer.port } });
    const { id } = await h.assistant.service.create('alice');
    const speech = { speech: { format: 'wav' } };

    // Act
    const spoken = await say(id, 'what time is it', speech);
    synthesizer.set('synthesize', { error: new SpeechUnavailableError('polly throttled') });
    const down = await say(id, 'what time is it', speech);
    synthesizer.set('synthesize', { timeoutMs: 20 });
    const timedOut = await say(id, 'hello', speech);
    synthesizer.clear();
    const back = await say(id, 'what time is it', speech);

    // Assess
    expect(spoken.json()).toMatchObject({ skill: 'time', audio: { format: 'wav', mimeType: 'audio/wav' } });
    for (const response of [down, timedOut]) {
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.text).toEqual(expect.any(String));
      expect(body.speechError).toEqual(expect.any(String));
      expect(body.audio).toBeUndefined();
    }
    expect(back.json().audio).toBeDefined();
    expect((await h.assistant.service.get('alice', id)).version).toBe(4);
  });

  it('store down on append: 503 with Retry-After, nothing half-written, no event; the next turn after recovery is whole', async () => {
    // Prepare
    const store = injectFaults(new MemoryConversationStore());
    const events = new InProcessEventPublisher();
    const published: DomainEvent[] = [];
    events.subscribe('*', (event) => void published.push(event));
    h = await createHttpHarness({ assistant: { conversations: store.port, events } });
    const { id } = await h.assistant.service.create('alice');
    await new Promise((resolve) => setImmediate(resolve));
    published.length = 0;

    // Act
    store.set('appendExchange', {
      error: () => new DependencyUnavailableError('conversation-store', 'throttled', { retryAfterSeconds: 2 }),
    });
    const failed = await say(id, 'what time is it');
    store.set('get', { error: () => new DependencyUnavailableError('conversation-store', 'unreachable') });
    const unreadable = await h.app.inject({
      method: 'GET',
      url: `/v1/conversations/${id}`,
      headers: await h.as('alice'),
    });
    store.clear();
    await new Promise((resolve) => setImmediate(resolve));
    const eventsWhileDown = published.length;
    const stateWhileDown = await h.assistant.service.get('alice', id);
    const turnsWhileDown = await h.assistant.service.history('alice', id, { limit: 10 });
    const recovered = await say(id, 'what time is it');

    // Assess
    expectProblem(failed, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(failed.headers['retry-after']).toBe('2');
    expectProblem(unreadable, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(unreadable.headers['retry-after']).toBe('1');
    expect(eventsWhileDown).toBe(0);
    expect(stateWhileDown).toMatchObject({ version: 0, turnCount: 0 });
    expect(turnsWhileDown.items).toEqual([]);
    expect(recovered.statusCode).toBe(200);
    expect((await h.assistant.service.history('alice', id, { limit: 10 })).items.map((t) => t.role)).toEqual([
      'user',
      'assistant',
    ]);
  });

  it('SQLite store locked by another process: 503 with Retry-After and nothing written', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'faults-'));
    const path = join(dir, 'assistant.db');
    const db = openSqliteDatabase(path);
    const other = openSqliteDatabase(path);
    databases.push(db, other);
    h = await createHttpHarness({ assistant: { conversations: new SqliteConversationStore({ db }) } });
    const { id } = await h.assistant.service.create('alice');

    // Act: the other connection holds the write lock and this one does not wait for it.
    db.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    const response = await say(id, 'what time is it');
    other.exec('ROLLBACK');

    // Assess
    expectProblem(response, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(response.headers['retry-after']).toBe('1');
    expect((await h.assistant.service.history('alice', id, { limit: 10 })).items).toEqual([]);
    expect(await h.assistant.service.get('alice', id)).toMatchObject({ version: 0, turnCount: 0 });
    expect((await say(id, 'what time is it')).statusCode).toBe(200);
    rmSync(dir, { recursive: true, force: true });
  });

  it('SQLite failing between the two turns of an exchange: nothing of the exchange is kept', async () => {
    const db = openSqliteDatabase(':memory:');
    databases.push(db);
    h = await createHttpHarness({ assistant: { conversations: new SqliteConversationStore({ db }) } });
    const { id } = await h.assistant.service.create('alice');
    // The header is bumped and the user turn inserted before this fires on the assistant turn.
    db.exec(`CREATE TEMP TRIGGER fail_reply BEFORE INSERT ON main.turns WHEN NEW.body LIKE '%"role":"assistant"%'
             BEGIN SELECT RAISE(ABORT, 'disk gave up at sector 7'); END`);
    const response = await say(id, 'what time is it');
    db.exec('DROP TRIGGER fail_reply');
    const problem = expectProblem(response, 500, ErrorCodes.INTERNAL);
    expect(problem.detail).not.toContain('sector 7');
    expect((await h.assistant.service.history('alice', id, { limit: 10 })).items).toEqual([]);
    expect(await h.assistant.service.get('alice', id)).toMatchObject({ version: 0, turnCount: 0 });
    expect((await say(id, 'what time is it')).json()).toMatchObject({ version: 1 });
  });

  it('event publisher down during 5 turns: every turn succeeds, 10 events wait in the outbox, then arrive once each, in order', async () => {
    // Prepare
    const db = openSqliteDatabase(':memory:');
    databases.push(db);
    const bus = new InProcessEventPublisher();
    const delivered: DomainEvent[] = [];
    bus.subscribe('*', (event) => void delivered.push(event));
    const faultyBus = injectFaults(bus);
    const outbox = new SqliteOutboxStore({ db });
    const events = new OutboxEventPublisher({ inner: faultyBus.port, outbox });
    h = await createHttpHarness({ assistant: { events } });
    const { id } = await h.assistant.service.create('alice');
    await new Promise((resolve) => setImmediate(resolve));
    const beforeOutage = delivered.length;

    // Act
    faultyBus.set('publish', { error: () => new DependencyUnavailableError('event-bus', 'unreachable') });
    const replies = [];
    for (const text of ['hello', 'what time is it', "what's the weather", 'Paris', 'goodbye'])
      replies.push(await say(id, text));
    await new Promise((resolve) => setImmediate(resolve));
    const deliveredDuringOutage = delivered.length - beforeOutage;
    const waiting = await outbox.size();
    faultyBus.clear();
    const drained = await events.drain();
    const drainedAgain = await events.drain();
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(replies.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(deliveredDuringOutage).toBe(0);
    expect(waiting).toBe(10);
    expect(drained).toEqual({ delivered: 10 });
    expect(drainedAgain).toEqual({ delivered: 0 });
    await expect(outbox.size()).resolves.toBe(0);
    const afterOutage = delivered.slice(beforeOutage);
    expect(afterOutage.map((e) => e.type)).toEqual(Array(5).fill(['UserInteraction', 'AssistantReplied']).flat());
    expect(new Set(afterOutage.map((e) => e.id)).size).toBe(10);
    const stored = (await h.assistant.service.history('alice', id, { limit: 20 })).items;
    expect(afterOutage.map((e) => (e as { turnId: string }).turnId)).toEqual(stored.map((t) => t.id));
    expect(delivered.slice(0, beforeOutage).map((e) => e.type)).toEqual(['SessionStarted']);
  });
});

describe('the fault injector', () => {
  const target = {
    calls: 0,
    async ping(options: { signal?: AbortSignal } = {}) {
      this.calls += 1;
      return options.signal ? 'pong with signal' : 'pong';
    },
    async *stream() {
      yield 1;
      yield 2;
    },
  };

  it('passes calls through untouched until a fault is set, keeping `this`', async () => {
    const faults = injectFaults(target);
    await expect(faults.port.ping()).resolves.toBe('pong');
    expect(target.calls).toBeGreaterThan(0);
    expect(faults.calls('ping')).toBe(1);
    expect(faults.faulted('ping')).toBe(0);
  });

  it('fails the next n calls with the given error, then recovers', async () => {
    const faults = injectFaults(target).set('ping', {
      error: () => new CoreError(ErrorCodes.INTERNAL, 'boom'),
      times: 2,
    });
    await expect(faults.port.ping()).rejects.toThrow('boom');
    await expect(faults.port.ping()).rejects.toThrow('boom');
    await expect(faults.port.ping()).resolves.toBe('pong');
    expect(faults.faulted('ping')).toBe(2);
  });

  it('times out with a retryable TIMEOUT, and hangs until the call is aborted', async () => {
    const faults = injectFaults(target).set('ping', { timeoutMs: 5 });
    await expect(faults.port.ping()).rejects.toMatchObject({ code: ErrorCodes.TIMEOUT, retryable: true });
    faults.set('ping', { hang: true });
    const controller = new AbortController();
    const hanging = faults.port.ping({ signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    await expect(hanging).rejects.toBeInstanceOf(AbortedError);
  });

  it('delays by the given latency, and applies faults to streams before their first item', async () => {
    const faults = injectFaults(target).set('ping', { latencyMs: 30 });
    const t0 = performance.now();
    await faults.port.ping();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    faults.set('stream', { error: new Error('stream down') });
    const items: number[] = [];
    await expect(
      (async () => {
        for await (const item of faults.port.stream()) items.push(item);
      })(),
    ).rejects.toThrow('stream down');
    faults.clear('stream');
    for await (const item of faults.port.stream()) items.push(item);
    expect(items).toEqual([1, 2]);
  });
});
