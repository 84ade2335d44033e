import { describe, expect, it } from 'vitest';
import { MemoryAudioStore } from '../../adapters/local/memory-audio-store.js';
import { MemoryConversationStore } from '../../adapters/local/memory-conversation-store.js';
import { ErrorCodes } from '../../core/errors.js';
import type { Audio, AudioRef } from '../../core/model/audio.js';
import type { IoOptions } from '../../core/model/io.js';
import type { SkillContext, SkillResult } from '../../core/model/skill.js';
import type { TurnRecord, TurnRequest } from '../../core/model/turn.js';
import { analyseSentiment } from '../../core/pipeline/analyse-sentiment.js';
import { decide } from '../../core/pipeline/decide.js';
import { load } from '../../core/pipeline/load.js';
import { persist } from '../../core/pipeline/persist.js';
import { publish } from '../../core/pipeline/publish.js';
import { respond } from '../../core/pipeline/respond.js';
import { synthesize } from '../../core/pipeline/synthesize.js';
import { transcribe } from '../../core/pipeline/transcribe.js';
import type { TurnDeps } from '../../core/pipeline/turn-deps.js';
import { startTurn } from '../../core/pipeline/turn-record.js';
import { buildReply } from '../../core/pipeline/turn-reply.js';
import { understand } from '../../core/pipeline/understand.js';
import type { AudioStore } from '../../core/ports/audio-store.js';
import type { AppendExchange } from '../../core/ports/conversation-store.js';
import type { Skill } from '../../core/ports/skill.js';
import type { SpeechSynthesizer, SynthesizeRequest } from '../../core/ports/speech-synthesizer.js';
import type { Telemetry } from '../../core/ports/telemetry.js';
import { noopTelemetry } from '../../core/defaults.js';
import { FixedSpeechRecognizer } from '../doubles/fixed-speech-recognizer.js';
import { createTestAssistant } from '../support/test-assistant.js';

/** Speaks any text as a short WAV and counts what it was asked to say. */
class CountingSynthesizer implements SpeechSynthesizer {
  readonly capabilities = { formats: ['wav'] as const, voices: ['test'], defaultVoice: 'test' };
  readonly requests: SynthesizeRequest[] = [];
  async synthesize(request: SynthesizeRequest): Promise<Audio> {
    this.requests.push(request);
    return { data: new Uint8Array(64).fill(7), format: 'wav', sampleRate: 16_000 };
  }
}

/** An audio store that remembers which clips are still held. */
class TrackingAudioStore implements AudioStore {
  readonly capabilities = { shared: false };
  readonly held = new Set<string>();
  constructor(private readonly inner: AudioStore) {}
  async put(request: { audio: Audio } & IoOptions): Promise<AudioRef> {
    const ref = await this.inner.put(request);
    this.held.add(ref.uri);
    return ref;
  }
  get(request: { ref: AudioRef } & IoOptions): Promise<Audio> {
    return this.inner.get(request);
  }
  async delete(request: { ref: AudioRef } & IoOptions): Promise<void> {
    await this.inner.delete(request);
    this.held.delete(request.ref.uri);
  }
}

/** A skill that acts on the world: it must run once per stored turn. */
class DoorSkill implements Skill {
  readonly name = 'door';
  readonly description = 'opening the front door';
  readonly sideEffects = true;
  readonly intents = [{ name: 'door.open', utterances: ['open the front door'] }];
  opened = 0;
  async handle(context: SkillContext): Promise<SkillResult> {
    this.opened += 1;
    const times = Number(context.state.times ?? 0) + 1;
    return { text: 'The front door is open.', state: { times } };
  }
}

/** A store where another process appends to the conversation just before our next write, once. */
function storeWithRival(store: MemoryConversationStore) {
  let rivalPending = true;
  const racing = Object.create(store) as MemoryConversationStore;
  racing.appendExchange = async (exchange: AppendExchange) => {
    if (rivalPending) {
      rivalPending = false;
      const at = '2026-03-01T09:29:00Z';
      await store.appendExchange({
        ...exchange,
        turns: [
          { id: 'rival-u', role: 'user', text: 'hello', at },
          { id: 'rival-a', role: 'assistant', text: 'Hi.', at },
        ],
        state: { skills: { other: { kept: true } } },
      });
    }
    return store.appendExchange(exchange);
  };
  return racing;
}

const STEPS: ReadonlyArray<readonly [string, (turn: TurnRecord, deps: TurnDeps) => Promise<TurnRecord>]> = [
  ['load', load],
  ['transcribe', transcribe],
  ['sentiment', analyseSentiment],
  ['understand', understand],
  ['decide', decide],
  ['respond', respond],
  ['persist', persist],
  ['synthesize', synthesize],
  ['publish', publish],
];

describe('the turn as a record', () => {
  it('runs step by step with the record through JSON in between, as a Step Functions workflow would', async () => {
    // Prepare: two identical assistants, one folded in process and one driven a step at a time.
    const options = () => ({
      recognizer: new FixedSpeechRecognizer(['what time is it']),
      synthesizer: new CountingSynthesizer(),
    });
    const inProcess = await createTestAssistant(options());
    const stepwise = await createTestAssistant(options());
    const audio: Audio = { data: new Uint8Array(3200), format: 'wav', sampleRate: 16_000 };
    const request = (conversationId: string): TurnRequest => ({
      userId: 'u1',
      conversationId,
      input: { kind: 'audio', audio },
      speech: { format: 'wav' },
    });
    const a = await inProcess.service.create('u1');
    const b = await stepwise.service.create('u1');

    // Act
    const folded = await inProcess.handleTurn(request(a.id));
    const deps: TurnDeps = stepwise.deps;
    let turn = await startTurn(request(b.id), deps);
    const sizes: number[] = [];
    for (const [, step] of STEPS) {
      const json = JSON.stringify(await step(turn, deps));
      sizes.push(json.length);
      turn = JSON.parse(json) as TurnRecord;
    }
    const speech =
      turn.speechOut && 'audio' in turn.speechOut ? await deps.audio.get({ ref: turn.speechOut.audio }) : undefined;
    const reply = buildReply(turn, speech, 0);

    // Assess: the same reply and the same stored exchange; audio travelled by reference only.
    const comparable = ({ timings: _t, conversationId: _c, turnId: _id, ...rest }: typeof folded) => rest;
    expect(comparable(reply)).toEqual(comparable(folded));
    expect(reply).toMatchObject({ heard: 'what time is it', skill: 'time', version: 1 });
    expect(reply.audio?.data).toHaveLength(64);
    expect(turn.input).toMatchObject({ kind: 'audio', audio: { format: 'wav', bytes: 3200 } });
    expect(turn.input.kind === 'audio' && 'data' in turn.input.audio).toBe(false);
    expect(Math.max(...sizes)).toBeLessThan(4_000);
    const history = async (assistant: typeof inProcess, id: string) =>
      (await assistant.service.history('u1', id, { limit: 10 })).items.map(({ role, text, intent }) => ({
        role,
        text,
        intent,
      }));
    expect(await history(stepwise, b.id)).toEqual(await history(inProcess, a.id));
  });

  it('names every step it ran in the timings, including sentiment and load', async () => {
    const a = await createTestAssistant({ synthesizer: new CountingSynthesizer() });
    const { id } = await a.service.create('u1');
    const reply = await a.handleTurn({
      userId: 'u1',
      conversationId: id,
      input: { kind: 'text', text: 'hello' },
      speech: {},
    });
    expect(Object.keys(reply.timings).sort()).toEqual([
      'decide',
      'load',
      'persist',
      'publish',
      'respond',
      'sentiment',
      'synthesize',
      'total',
      'transcribe',
      'understand',
    ]);
  });

  it('speaks once, after the write, when another writer moved the conversation', async () => {
    // Prepare
    const synthesizer = new CountingSynthesizer();
    const conflicts: string[] = [];
    const telemetry: Telemetry = { ...noopTelemetry, metric: (name) => void conflicts.push(name) };
    const a = await createTestAssistant({
      conversations: storeWithRival(new MemoryConversationStore()),
      synthesizer,
      telemetry,
    });
    const { id } = await a.service.create('u1');

    // Act
    const reply = await a.handleTurn({
      userId: 'u1',
      conversationId: id,
      input: { kind: 'text', text: 'what time is it' },
      speech: {},
    });

    // Assess: answered again on the fresh read, stored once, spoken once.
    expect(conflicts.filter((name) => name === 'TurnVersionConflict')).toHaveLength(1);
    expect(synthesizer.requests.map((r) => r.text)).toEqual([reply.text]);
    expect(reply.version).toBe(2);
    const texts = (await a.service.history('u1', id, { limit: 10 })).items.map((turn) => turn.text);
    expect(texts).toEqual(['hello', 'Hi.', 'what time is it', reply.text]);
  });

  it('runs a skill with side effects once per stored turn, re-applying its reply after a conflict', async () => {
    // Prepare
    const door = new DoorSkill();
    const a = await createTestAssistant({
      conversations: storeWithRival(new MemoryConversationStore()),
      extraSkills: [door],
    });
    const { id } = await a.service.create('u1');

    // Act
    const reply = await a.handleTurn({
      userId: 'u1',
      conversationId: id,
      input: { kind: 'text', text: 'open the front door' },
    });

    // Assess: one opening; the rival's state survives beside the skill's own.
    expect(door.opened).toBe(1);
    expect(reply).toMatchObject({ skill: 'door', text: 'The front door is open.', version: 2 });
    const stored = await a.service.get('u1', id);
    expect(stored.state.skills).toEqual({ other: { kept: true }, door: { times: 1 } });
    expect(stored.state.lastIntent).toBe('door.open');
  });

  it('counts a failing sentiment analyser and goes on without a score', async () => {
    const metrics: string[] = [];
    const warnings: string[] = [];
    const telemetry: Telemetry = {
      ...noopTelemetry,
      metric: (name) => void metrics.push(name),
      warn: (message) => void warnings.push(message),
    };
    const sentiment = { analyze: () => Promise.reject(new Error('comprehend is down')) };
    const a = await createTestAssistant({ sentiment, telemetry });
    const { id } = await a.service.create('u1');

    const reply = await a.handleTurn({ userId: 'u1', conversationId: id, input: { kind: 'text', text: 'hello' } });

    expect(reply.skill).toBe('small-talk');
    expect(metrics).toContain('SentimentFailed');
    expect(warnings.join()).toMatch(/sentiment/);
    const [user] = (await a.service.history('u1', id, { limit: 2 })).items;
    expect(user?.sentiment).toBeUndefined();
  });

  it('takes speech recognised while it arrived: no second recognition, the same checks, its time as transcribe', async () => {
    // Prepare
    const audio = new TrackingAudioStore(new MemoryAudioStore({ clock: { now: () => new Date() } }));
    const recognizer = new FixedSpeechRecognizer(['never used']);
    const a = await createTestAssistant({ audio, recognizer, synthesizer: new CountingSynthesizer() });
    const { id } = await a.service.create('u1');
    const clip: Audio = { data: new Uint8Array(3200), format: 'wav', sampleRate: 16_000 };
    const voice = (text: string, ms = 42): TurnRequest => ({
      userId: 'u1',
      conversationId: id,
      input: { kind: 'voice', audio: clip, recognised: { text, confidence: 0.8, ms } },
    });

    // Act
    const reply = await a.handleTurn(voice('  what time is it '));

    // Assert
    expect(reply).toMatchObject({ heard: 'what time is it', skill: 'time' });
    expect(reply.timings.transcribe).toBeGreaterThanOrEqual(42);
    expect(reply.timings.transcribe).toBeLessThan(200);
    expect(recognizer.requests).toHaveLength(0);
    await expect(a.handleTurn(voice('   '))).rejects.toMatchObject({ code: ErrorCodes.VALIDATION });
    await expect(a.handleTurn(voice('x'.repeat(100_000)))).rejects.toMatchObject({ code: ErrorCodes.VALIDATION });
    expect(audio.held.size).toBe(0);
  });

  it('leaves no clip in the audio store once an audio turn is answered, or has failed', async () => {
    const audio = new TrackingAudioStore(new MemoryAudioStore({ clock: { now: () => new Date() } }));
    const a = await createTestAssistant({
      audio,
      recognizer: new FixedSpeechRecognizer(['hello', '']),
      synthesizer: new CountingSynthesizer(),
    });
    const { id } = await a.service.create('u1');
    const clip = (bytes: number): TurnRequest => ({
      userId: 'u1',
      conversationId: id,
      input: { kind: 'audio', audio: { data: new Uint8Array(bytes), format: 'wav', sampleRate: 16_000 } },
      speech: {},
    });

    const reply = await a.handleTurn(clip(10));
    await expect(a.handleTurn(clip(11))).rejects.toMatchObject({ code: ErrorCodes.VALIDATION });
    await expect(a.handleTurn({ ...clip(12), conversationId: 'no-such-conversation' })).rejects.toMatchObject({
      code: ErrorCodes.CONVERSATION_NOT_FOUND,
    });

    expect(reply.audio?.data).toHaveLength(64);
    expect(audio.held.size).toBe(0);
  });

  it('stops at the first step when the caller has gone, writing nothing', async () => {
    const a = await createTestAssistant();
    const { id } = await a.service.create('u1');
    const controller = new AbortController();
    controller.abort();
    await expect(
      a.handleTurn({
        userId: 'u1',
        conversationId: id,
        input: { kind: 'text', text: 'hello' },
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ code: ErrorCodes.ABORTED });
    expect((await a.service.get('u1', id)).version).toBe(0);
  });
});
