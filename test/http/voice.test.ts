import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebRtcVoiceActivityDetector } from '../../adapters/local/webrtc-voice-activity-detector.js';
import { AbortedError } from '../../core/errors.js';
import type { SpeechStream } from '../../core/ports/speech-recognizer.js';
import type { SpeechSynthesizer, SynthesizeRequest } from '../../core/ports/speech-synthesizer.js';
import type { Telemetry } from '../../core/ports/telemetry.js';
import type { VoiceLimits } from '../../entrypoints/http/voice/voice-protocol.js';
import { speechSample } from '../contract/speech-recognizer.contract.js';
import { FixedSpeechRecognizer } from '../doubles/fixed-speech-recognizer.js';
import { ScriptedLanguageModel } from '../doubles/scripted-language-model.js';
import { createHttpHarness, type HttpHarness } from './http-harness.js';

/** Set VOICE_TEST_REALTIME=1 to send the microphone frames at 20 ms intervals instead of as fast as possible. */
const REALTIME = process.env['VOICE_TEST_REALTIME'] === '1';
const FRAME_BYTES = 640;

/** Silence of a length that follows the text (25 ms a character), as 16-bit PCM at 16 kHz; records requests. */
class MeasuredSilenceSynthesizer implements SpeechSynthesizer {
  readonly capabilities = { formats: ['pcm', 'wav'] as const, voices: ['nova'], defaultVoice: 'nova' };
  readonly requests: SynthesizeRequest[] = [];
  async synthesize(request: SynthesizeRequest) {
    this.requests.push(request);
    return { data: new Uint8Array(request.text.length * 25 * 32), format: 'pcm' as const, sampleRate: 16_000 };
  }
}

/** Recognises while speech arrives: records what each stream was written and how it ended; "hears" `text`. */
class StreamingFakeRecognizer extends FixedSpeechRecognizer {
  override readonly capabilities = { formats: ['wav'] as const, streaming: true };
  readonly streams: { samples: number; state: 'open' | 'finished' | 'cancelled' }[] = [];
  constructor(private readonly text: string) {
    super([text]);
  }
  openStream(): SpeechStream {
    const record = { samples: 0, state: 'open' as 'open' | 'finished' | 'cancelled' };
    this.streams.push(record);
    return {
      write: (samples) => {
        if (record.state === 'open') record.samples += samples.length;
      },
      finish: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (record.state === 'cancelled') throw new AbortedError('cancelled');
        record.state = 'finished';
        return { text: this.text };
      },
      cancel: () => {
        if (record.state === 'open') record.state = 'cancelled';
      },
    };
  }
}

interface Message {
  type: string;
  [key: string]: unknown;
}

interface Client {
  socket: WebSocket;
  messages: Message[];
  audioBytes: number;
  next(type: string, after?: number): Promise<Message>;
  closed: Promise<{ code: number; reason: string }>;
  send(message: object): void;
}

async function connect(h: HttpHarness, protocols?: string[]): Promise<Client> {
  const { port } = h.app.server.address() as AddressInfo;
  const token = (await h.as('alice')).authorization?.slice('Bearer '.length) ?? '';
  const socket = new WebSocket(`ws://127.0.0.1:${port}/v1/voice`, protocols ?? ['voice.v1', `bearer.${token}`]);
  const client: Client = {
    socket,
    messages: [],
    audioBytes: 0,
    closed: new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    ),
    send: (message) => socket.send(JSON.stringify(message)),
    async next(type, after = 0) {
      await expect
        .poll(() => client.messages.slice(after).find((m) => m.type === type), { timeout: 5000, interval: 5 })
        .toBeDefined();
      return client.messages.slice(after).find((m) => m.type === type) as Message;
    },
  };
  socket.on('message', (data: Buffer, isBinary) => {
    if (isBinary) client.audioBytes += data.byteLength;
    else client.messages.push(JSON.parse(data.toString()) as Message);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return client;
}

/** The HTTP status of a refused upgrade. */
function refusal(h: HttpHarness, protocols: string[]): Promise<number> {
  const { port } = h.app.server.address() as AddressInfo;
  const socket = new WebSocket(`ws://127.0.0.1:${port}/v1/voice`, protocols);
  return new Promise<number>((resolve) => {
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('error', () => undefined);
  });
}

/** The spoken sample with silence around it, cut in 20 ms frames as a microphone would send them. */
async function utteranceFrames(): Promise<Buffer[]> {
  const { pcm } = await speechSample();
  const audio = Buffer.concat([Buffer.alloc(9600), Buffer.from(pcm), Buffer.alloc(32_000)]);
  const frames: Buffer[] = [];
  for (let at = 0; at + FRAME_BYTES <= audio.length; at += FRAME_BYTES)
    frames.push(audio.subarray(at, at + FRAME_BYTES));
  return frames;
}

async function speak(client: Client): Promise<void> {
  for (const frame of await utteranceFrames()) {
    client.socket.send(frame);
    if (REALTIME) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function voiceHarness(
  options: {
    reply?: string;
    heard?: string;
    limits?: Partial<VoiceLimits>;
    streaming?: StreamingFakeRecognizer;
  } = {},
) {
  const synthesizer = new MeasuredSilenceSynthesizer();
  const metrics: { name: string; value: number }[] = [];
  const telemetry: Telemetry = {
    metric: (name, value) => metrics.push({ name, value }),
    span: (_name, fn) => fn(),
    warn: () => undefined,
    error: () => undefined,
  };
  const h = await createHttpHarness({
    assistant: {
      recognizer: new FixedSpeechRecognizer([options.heard ?? 'what time is it']),
      model: new ScriptedLanguageModel(options.reply ?? 'A scripted answer.'),
    },
    wrap: () => ({
      voice: {
        synthesizer,
        telemetry,
        ...(options.streaming && { recognizer: options.streaming }),
        createVad: () => WebRtcVoiceActivityDetector.create(),
        limits: { playbackLeadMs: Number.POSITIVE_INFINITY, ...options.limits },
      },
    }),
  });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  return { h, synthesizer, metrics };
}

const LONG_REPLY =
  'First sentence is short. The second sentence goes on for quite a while longer. A third one ends the reply.';

describe('voice over WebSocket (voice.v1)', () => {
  let h: HttpHarness;
  afterEach(() => h.app.close());

  it('recognises while the user speaks when the recognizer streams: pre-roll and every frame, no second pass', async () => {
    // Prepare
    const streaming = new StreamingFakeRecognizer('what time is it');
    ({ h } = await voiceHarness({ heard: 'never heard from the WAV', streaming }));
    const { id } = await h.assistant.service.create('alice');
    const client = await connect(h);
    client.send({ type: 'start', conversationId: id });
    await client.next('started');
    // Act
    await speak(client);
    const turn = await client.next('turn');
    // Assess: one stream, finished, fed the utterance (at least the spoken sample, pre-roll and hangover included).
    const { pcm } = await speechSample();
    expect(streaming.streams).toHaveLength(1);
    expect(streaming.streams[0]?.state).toBe('finished');
    expect(streaming.streams[0]?.samples).toBeGreaterThan(pcm.byteLength / 2 - 3200);
    expect(streaming.requests).toHaveLength(0);
    expect(client.messages.find((m) => m.type === 'transcript')).toMatchObject({ text: 'what time is it' });
    expect((turn['turn'] as { heard: string }).heard).toBe('what time is it');
    expect(turn['timings']).toMatchObject({ recognition: expect.any(Number) });
  });

  it('cancels the recognition stream when the socket closes mid-utterance', async () => {
    // Prepare
    const streaming = new StreamingFakeRecognizer('what time is it');
    ({ h } = await voiceHarness({ streaming }));
    const { id } = await h.assistant.service.create('alice');
    const client = await connect(h);
    client.send({ type: 'start', conversationId: id });
    await client.next('started');
    // Act: half the utterance, then hang up.
    const frames = await utteranceFrames();
    for (const frame of frames.slice(0, Math.floor(frames.length / 2))) client.socket.send(frame);
    await client.next('speech-started');
    client.socket.close();
    // Assess
    await expect.poll(() => streaming.streams[0]?.state, { timeout: 5000 }).toBe('cancelled');
    expect((await h.assistant.service.history('alice', id, { limit: 10 })).items).toHaveLength(0);
  });

  it('hears an utterance, answers it with streamed text and audio sentence by sentence, and reports timings', async () => {
    // Prepare
    let metrics: { name: string; value: number }[];
    ({ h, metrics } = await voiceHarness());
    const { id } = await h.assistant.service.create('alice');
    const client = await connect(h);
    expect(await client.next('ready')).toMatchObject({
      protocol: 'voice.v1',
      input: { encoding: 'pcm16le', sampleRate: 16_000 },
    });
    expect(client.socket.protocol).toBe('voice.v1');
    client.send({ type: 'start', conversationId: id });
    await client.next('started');
    // Act
    await speak(client);
    const turn = await client.next('turn');
    // Assess
    const types = client.messages.map((m) => m.type);
    expect(types.slice(0, 6)).toEqual([
      'ready',
      'started',
      'speech-started',
      'speech-ended',
      'transcript',
      'reply-delta',
    ]);
    expect(client.messages.find((m) => m.type === 'transcript')).toMatchObject({ text: 'what time is it' });
    const starts = client.messages.filter((m) => m.type === 'audio-start');
    expect(starts[0]).toMatchObject({ sentence: 0, format: { encoding: 'pcm16le', sampleRate: 16_000 } });
    expect(client.audioBytes).toBe(starts.reduce((n, m) => n + (m['bytes'] as number), 0));
    expect(types.indexOf('audio-end')).toBeLessThan(types.indexOf('turn'));
    const reply = turn['turn'] as { text: string; turnId: string; interrupted?: boolean };
    expect(reply.text).toMatch(/^It's 9:30 AM UTC\.$/);
    expect(reply.interrupted).toBeUndefined();
    expect(turn['timings']).toMatchObject({
      timeToFirstAudio: expect.any(Number),
      recognition: expect.any(Number),
      understanding: expect.any(Number),
      firstSentenceSynthesis: expect.any(Number),
      hangover: 500,
    });
    const history = await h.assistant.service.history('alice', id, { limit: 10 });
    expect(history.items.map((t) => t.text)).toEqual(['what time is it', reply.text]);
    expect(metrics.map((m) => m.name)).toEqual(
      expect.arrayContaining(['VoiceTimeToFirstAudio', 'VoiceRecognition', 'VoiceFirstSentenceSynthesis']),
    );
    client.socket.close();
  });

  it('splits a streamed model reply into sentences and speaks the first before the model has finished', async () => {
    let synth: MeasuredSilenceSynthesizer;
    ({ h, synthesizer: synth } = await voiceHarness({ reply: LONG_REPLY, heard: 'tell me a joke' }));
    const { id } = await h.assistant.service.create('alice');
    const client = await connect(h);
    client.send({ type: 'start', conversationId: id });
    await speak(client);
    const turn = await client.next('turn');
    expect(synth.requests.map((r) => r.text)).toEqual([
      'First sentence is short.',
      'The second sentence goes on for quite a while longer.',
      'A third one ends the reply.',
    ]);
    const firstAudio = client.messages.findIndex((m) => m.type === 'audio-start');
    const lastDelta = client.messages.map((m) => m.type).lastIndexOf('reply-delta');
    expect(firstAudio).toBeLessThan(lastDelta);
    const deltas = client.messages.filter((m) => m.type === 'reply-delta').map((m) => m['text']);
    expect(deltas.join('')).toBe((turn['turn'] as { text: string }).text);
    client.socket.close();
  });

  it('stops the reply when the user speaks over it and stores only what was sent, marked interrupted', async () => {
    // Prepare: audio sent no further than 50 ms ahead of playback, so the reply takes seconds to go out.
    ({ h } = await voiceHarness({ reply: LONG_REPLY, heard: 'tell me a joke', limits: { playbackLeadMs: 50 } }));
    const { id } = await h.assistant.service.create('alice');
    const client = await connect(h);
    client.send({ type: 'start', conversationId: id });
    await speak(client);
    await client.next('audio-end');
    // Act: barge in while the second sentence plays.
    const mark = client.messages.length;
    await speak(client);
    // Assess
    expect(await client.next('interrupted', mark)).toEqual({ type: 'interrupted', reason: 'barge-in' });
    const turn = await client.next('turn');
    const reply = turn['turn'] as { text: string; turnId: string; interrupted?: boolean };
    expect(reply.interrupted).toBe(true);
    expect(reply.text.startsWith('First sentence is short.')).toBe(true);
    expect(reply.text).not.toContain('third');
    expect(client.messages.some((m) => m.type === 'audio-end' && m['interrupted'] === true)).toBe(true);
    const history = await h.assistant.service.history('alice', id, { limit: 10 });
    expect(history.items[1]).toMatchObject({ id: reply.turnId, text: reply.text, interrupted: true });
    client.socket.close();
  });

  it('stops the reply on cancel and stores the part that was sent, marked interrupted', async () => {
    ({ h } = await voiceHarness({ reply: LONG_REPLY, heard: 'tell me a joke', limits: { playbackLeadMs: 50 } }));
    const { id } = await h.assistant.service.create('alice');
    const client = await connect(h);
    client.send({ type: 'start', conversationId: id });
    await speak(client);
    await client.next('audio-start');
    client.send({ type: 'cancel' });
    expect(await client.next('interrupted')).toEqual({ type: 'interrupted', reason: 'cancel' });
    const reply = (await client.next('turn'))['turn'] as { text: string; interrupted?: boolean };
    expect(reply.interrupted).toBe(true);
    expect(reply.text).not.toContain('second');
    const history = await h.assistant.service.history('alice', id, { limit: 10 });
    expect(history.items[1]).toMatchObject({ role: 'assistant', text: reply.text, interrupted: true });
    client.socket.close();
  });

  it('ends the utterance on end, and reports a failed turn as an error message without closing', async () => {
    ({ h } = await voiceHarness());
    const client = await connect(h);
    client.send({ type: 'start', conversationId: 'no-such-conversation' });
    const frames = await utteranceFrames();
    // 0.6 s of silence lead the speech (the sample's own padding and the 0.3 s added here): stop inside the speech.
    for (const frame of frames.slice(0, 60)) client.socket.send(frame);
    client.send({ type: 'end' });
    expect(await client.next('speech-ended')).toEqual({ type: 'speech-ended', reason: 'forced' });
    expect((await client.next('error'))['problem']).toMatchObject({ status: 404, code: 'CONVERSATION_NOT_FOUND' });
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    client.socket.close();
  });

  it.each([
    ['audio before start', (c: Client) => c.socket.send(Buffer.alloc(640)), 1008],
    ['a message that is not JSON', (c: Client) => c.socket.send('hello'), 1008],
    ['an unknown message type', (c: Client) => c.send({ type: 'dance' }), 1008],
    [
      'an odd number of audio bytes',
      (c: Client) => {
        c.send({ type: 'start', conversationId: 'c1' });
        c.socket.send(Buffer.alloc(641));
      },
      1003,
    ],
  ])('answers %s with an error message and a clean close', async (_name, misbehave, code) => {
    ({ h } = await voiceHarness());
    const client = await connect(h);
    await client.next('ready');
    misbehave(client);
    expect((await client.next('error'))['problem']).toMatchObject({ code: 'VOICE_PROTOCOL_ERROR' });
    expect((await client.closed).code).toBe(code);
  });

  it('closes with 1009 on a frame above the limit, and refuses an upgrade without the voice.v1 subprotocol', async () => {
    ({ h } = await voiceHarness({ limits: { maxFrameBytes: 4096 } }));
    const big = await connect(h);
    await big.next('ready');
    big.socket.send(Buffer.alloc(8192));
    expect((await big.closed).code).toBe(1009);
    const token = (await h.as('alice')).authorization?.slice('Bearer '.length) ?? '';
    expect(await refusal(h, ['voice.v0', `bearer.${token}`])).toBe(400);
  });

  it('refuses the upgrade without a valid token', async () => {
    ({ h } = await voiceHarness());
    expect(await refusal(h, ['voice.v1', 'bearer.not-a-token'])).toBe(401);
    expect(await refusal(h, ['voice.v1'])).toBe(401);
  });

  it('closes an idle session', async () => {
    ({ h } = await voiceHarness({ limits: { idleTimeoutMs: 100 } }));
    const client = await connect(h);
    const closed = await client.closed;
    expect(closed).toEqual({ code: 1000, reason: 'idle timeout' });
    expect(client.messages.at(-1)).toMatchObject({ type: 'error', problem: { code: 'VOICE_IDLE_TIMEOUT' } });
  });
});
