import { encodeWav } from '../../../adapters/shared/wav.js';
import { AbortedError } from '../../../core/errors.js';
import type { Audio } from '../../../core/model/audio.js';
import type { ReplyStream, TurnInput, TurnReply } from '../../../core/model/turn.js';
import type { HandleTurn } from '../../../core/pipeline/turn-pipeline.js';
import type { SpeechRecognizer, SpeechStream, Transcript } from '../../../core/ports/speech-recognizer.js';
import type { SpeechSynthesizer } from '../../../core/ports/speech-synthesizer.js';
import type { Telemetry } from '../../../core/ports/telemetry.js';
import type { VoiceActivityDetector } from '../../../core/ports/voice-activity-detector.js';
import { Endpointer } from '../../../core/voice/endpointer.js';
import { SentenceSplitter } from '../../../core/voice/sentence-splitter.js';
import { HttpProblem } from '../problem.js';
import type { Problem } from '../schemas.js';
import { ReplyPlayer, type VoiceTransport } from './reply-player.js';
import {
  FRAME_MS,
  INPUT_SAMPLE_RATE,
  parseClientMessage,
  VOICE_PROTOCOL,
  type ServerMessage,
  type VoiceLimits,
} from './voice-protocol.js';
import { round, voiceTimings, type VoiceMarks } from './voice-timings.js';

export type { VoiceTransport } from './reply-player.js';

export interface VoiceSessionOptions {
  userId: string;
  transport: VoiceTransport;
  handleTurn: HandleTurn;
  synthesizer?: SpeechSynthesizer;
  /**
   * The turn pipeline's recognizer. When it can stream (`capabilities.streaming`), speech is recognised while it
   * arrives and the turn gets the finished transcript; otherwise the turn recognises the utterance's WAV.
   */
  recognizer?: SpeechRecognizer | null;
  createVad: () => Promise<VoiceActivityDetector>;
  telemetry: Telemetry;
  limits: VoiceLimits;
  /** The problem body for an error, logged as the HTTP error handler would. */
  problemOf: (error: unknown) => Problem;
  /** Milliseconds on a monotonic clock. */
  now?: () => number;
  /** Shapes the stored turn for the `turn` message (the HTTP reply's JSON). */
  present: (reply: TurnReply) => unknown;
}

/** WebSocket close codes (RFC 6455 §7.4.1). */
const CLOSE = { normal: 1000, protocol: 1002, unsupported: 1003, policy: 1008, tooBig: 1009, internal: 1011 };
const FRAME_SAMPLES = (INPUT_SAMPLE_RATE * FRAME_MS) / 1000;

interface ActiveTurn {
  /** Barge-in or `cancel`: stop the reply, store what was sent, marked interrupted. */
  interrupt: AbortController;
  /** The socket closed: stop everything and store nothing. */
  abandon: AbortController;
}

/**
 * One client's voice conversation over a WebSocket (protocol `voice.v1`): PCM frames in, VAD and endpointing, one turn
 * at a time through the core with its reply streamed, each sentence synthesised as soon as it is complete and sent as
 * audio paced to playback; speech during a reply (or `cancel`) interrupts it.
 */
export class VoiceSession {
  private readonly now: () => number;
  private readonly endpointer: Endpointer;
  private vad: VoiceActivityDetector | undefined;
  private inbox: Promise<void> = Promise.resolve();
  private turns: Promise<void> = Promise.resolve();
  private conversationId: string | undefined;
  private voice: string | undefined;
  private language = 'en';
  private remainder = new Int16Array(0);
  private active: ActiveTurn | undefined;
  private idle: NodeJS.Timeout | undefined;
  private closed = false;
  /** Recognising the utterance being spoken, from its first frame (pre-roll included). */
  private listening: SpeechStream | undefined;
  /** Utterances that ended and whose transcript is still being finished. */
  private readonly finishing = new Set<SpeechStream>();

  private readonly player: ReplyPlayer;

  constructor(private readonly options: VoiceSessionOptions) {
    this.now = options.now ?? (() => performance.now());
    this.player = new ReplyPlayer({
      transport: options.transport,
      ...(options.synthesizer && { synthesizer: options.synthesizer }),
      limits: options.limits,
      now: this.now,
      send: (message) => this.send(message),
      problemOf: options.problemOf,
    });
    this.endpointer = new Endpointer({
      frameMs: FRAME_MS,
      hangoverMs: options.limits.hangoverMs,
      maxUtteranceMs: options.limits.maxUtteranceMs,
    });
  }

  /** Loads the detector and greets the client; messages received meanwhile wait for it. */
  open(protocol: string): void {
    if (protocol !== VOICE_PROTOCOL) {
      this.fail(CLOSE.protocol, `offer the WebSocket subprotocol ${VOICE_PROTOCOL}`);
      return;
    }
    this.touch();
    this.inbox = this.options.createVad().then(
      (vad) => {
        if (this.closed) return vad.close();
        this.vad = vad;
        const { maxFrameBytes, maxControlBytes, maxUtteranceMs, idleTimeoutMs, hangoverMs } = this.options.limits;
        this.send({
          type: 'ready',
          protocol: VOICE_PROTOCOL,
          input: { encoding: 'pcm16le', sampleRate: INPUT_SAMPLE_RATE, channels: 1 },
          limits: { maxFrameBytes, maxControlBytes, maxUtteranceMs, idleTimeoutMs, hangoverMs },
        });
      },
      (error: unknown) => this.fail(CLOSE.internal, error),
    );
  }

  /** One message from the client, handled in arrival order. */
  receive(data: Buffer, isBinary: boolean): void {
    this.touch();
    this.inbox = this.inbox.then(() => {
      if (this.closed) return;
      try {
        if (isBinary) this.audio(data);
        else this.control(data);
      } catch (error) {
        this.fail(CLOSE.internal, error);
      }
    });
  }

  /** The socket closed: a turn still running is abandoned (nothing of it is stored). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idle);
    this.active?.abandon.abort();
    this.listening?.cancel();
    this.listening = undefined;
    for (const stream of this.finishing) stream.cancel();
    void this.inbox.then(() => this.vad?.close());
  }

  private control(data: Buffer): void {
    if (data.byteLength > this.options.limits.maxControlBytes) {
      return this.fail(CLOSE.tooBig, `a text message may be at most ${this.options.limits.maxControlBytes} bytes`);
    }
    const message = parseClientMessage(data.toString('utf8'));
    if (typeof message === 'string') return this.fail(CLOSE.policy, message);
    if (message.type === 'start') {
      if (this.active) return this.fail(CLOSE.policy, 'start again only between turns');
      this.conversationId = message.conversationId;
      this.voice = message.voice;
      if (message.language) this.language = message.language;
      this.send({ type: 'started', conversationId: message.conversationId });
    } else if (message.type === 'cancel') {
      // An utterance still being recognised is dropped with the reply: the user called the whole exchange off.
      const dropped = this.finishing.size > 0;
      for (const stream of this.finishing) stream.cancel();
      if (dropped && !this.active) this.send({ type: 'interrupted', reason: 'cancel' });
      this.interrupt('cancel');
    } else {
      const ended = this.endpointer.force();
      if (ended?.type === 'speech-ended') this.utteranceEnded(ended.utterance, ended.reason);
    }
  }

  private audio(data: Buffer): void {
    if (!this.conversationId) return this.fail(CLOSE.policy, 'send start before audio');
    if (data.byteLength % 2 !== 0) {
      return this.fail(CLOSE.unsupported, 'audio must be 16-bit PCM: a binary message has an even number of bytes');
    }
    const vad = this.vad;
    if (!vad) return;
    const incoming = new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    const samples = new Int16Array(this.remainder.length + incoming.length);
    samples.set(this.remainder);
    samples.set(incoming, this.remainder.length);
    let at = 0;
    for (; at + FRAME_SAMPLES <= samples.length; at += FRAME_SAMPLES) {
      const frame = samples.slice(at, at + FRAME_SAMPLES);
      const event = this.endpointer.push(frame, vad.isSpeech(frame));
      if (event?.type === 'speech-started') {
        this.send({ type: 'speech-started' });
        this.interrupt('barge-in');
        this.listen();
      } else if (event?.type === 'speech-ended' || this.endpointer.inSpeech) {
        this.listening?.write(frame);
      }
      if (event?.type === 'speech-ended') {
        this.utteranceEnded(event.utterance, event.reason);
      }
    }
    this.remainder = samples.slice(at);
  }

  /** Opens a recognition stream for the utterance that just started, fed its pre-roll; none if the recognizer can't. */
  private listen(): void {
    this.listening?.cancel();
    this.listening = undefined;
    const { recognizer } = this.options;
    if (!recognizer?.capabilities.streaming || !recognizer.openStream) return;
    try {
      this.listening = recognizer.openStream({ language: this.language, sampleRate: INPUT_SAMPLE_RATE });
    } catch (error) {
      // The turn recognises the WAV instead; say so in the log, not to the client.
      this.options.telemetry.metric('VoiceStreamOpenFailed', 1, 'Count');
      void error;
      return;
    }
    for (const frame of this.endpointer.utteranceSoFar) this.listening.write(frame);
  }

  private utteranceEnded(frames: Int16Array[], reason: 'silence' | 'max-length' | 'forced'): void {
    const endedAt = this.now();
    this.send({ type: 'speech-ended', reason });
    const stream = this.listening;
    this.listening = undefined;
    const conversationId = this.conversationId;
    if (!conversationId) {
      stream?.cancel();
      return;
    }
    let recognised: Promise<{ transcript: Transcript; ms: number } | 'cancelled' | 'failed'> | undefined;
    if (stream) {
      this.finishing.add(stream);
      recognised = stream
        .finish()
        .then(
          (transcript) => ({ transcript, ms: round(this.now() - endedAt) }),
          (error: unknown) => (error instanceof AbortedError ? ('cancelled' as const) : ('failed' as const)),
        )
        .finally(() => this.finishing.delete(stream));
    }
    const samples = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
    let offset = 0;
    for (const frame of frames) {
      samples.set(frame, offset);
      offset += frame.length;
    }
    const audio: Audio = { data: encodeWav(samples, INPUT_SAMPLE_RATE), format: 'wav', sampleRate: INPUT_SAMPLE_RATE };
    // One turn at a time: an utterance that ends while the last reply is still being stored waits for it.
    this.turns = this.turns.then(async () => {
      const heard = await recognised;
      if (this.closed || heard === 'cancelled') return;
      // A stream that failed leaves the utterance to the pipeline's own recognition of the WAV.
      const input =
        heard === undefined || heard === 'failed'
          ? { kind: 'audio' as const, audio }
          : { kind: 'voice' as const, audio, recognised: { ...heard.transcript, ms: heard.ms } };
      return this.runTurn(conversationId, input, endedAt);
    });
  }

  private interrupt(reason: 'barge-in' | 'cancel'): void {
    const active = this.active;
    if (!active || active.interrupt.signal.aborted) return;
    active.interrupt.abort();
    this.send({ type: 'interrupted', reason });
  }

  private async runTurn(conversationId: string, input: TurnInput, endedAt: number): Promise<void> {
    const active: ActiveTurn = { interrupt: new AbortController(), abandon: new AbortController() };
    this.active = active;
    const stop = AbortSignal.any([active.interrupt.signal, active.abandon.signal]);
    const marks: VoiceMarks = {};
    const splitter = new SentenceSplitter();
    const delivered: string[] = [];
    let speaking: Promise<void> = Promise.resolve();
    let sentence = 0;
    const speak = (text: string) => {
      const index = sentence;
      sentence += 1;
      const said = { text, index, language: this.language, ...(this.voice && { voice: this.voice }) };
      speaking = speaking.then(() => this.player.speak(said, stop, delivered, marks));
    };
    const stream: ReplyStream = {
      heard: (text) => this.send({ type: 'transcript', text }),
      delta: (text) => {
        marks.firstText ??= this.now();
        this.send({ type: 'reply-delta', text });
        if (!stop.aborted) for (const whole of splitter.push(text)) speak(whole);
      },
      interruption: active.interrupt.signal,
      delivered: async () => {
        const rest = splitter.flush();
        if (rest && !stop.aborted) speak(rest);
        await speaking;
        return { text: delivered.join('').trim(), interrupted: active.interrupt.signal.aborted };
      },
    };
    try {
      const reply = await this.options.handleTurn({
        userId: this.options.userId,
        conversationId,
        input,
        signal: active.abandon.signal,
        stream,
      });
      const timings = voiceTimings(reply, endedAt, marks, this.options.limits.hangoverMs, this.options.telemetry);
      this.send({ type: 'turn', turn: this.options.present(reply), timings });
    } catch (error) {
      if (!active.abandon.signal.aborted) this.send({ type: 'error', problem: this.options.problemOf(error) });
    } finally {
      this.active = undefined;
    }
  }

  private send(message: ServerMessage): void {
    if (!this.closed) this.options.transport.sendText(JSON.stringify(message));
  }

  /** Reports the problem and closes the socket: protocol errors end the session. */
  private fail(code: number, reason: unknown): void {
    if (this.closed) return;
    const error =
      typeof reason === 'string'
        ? new HttpProblem(code === CLOSE.tooBig ? 413 : 400, 'VOICE_PROTOCOL_ERROR', reason)
        : reason;
    this.send({ type: 'error', problem: this.options.problemOf(error) });
    this.options.transport.close(code, typeof reason === 'string' ? reason.slice(0, 120) : 'internal error');
    this.close();
  }

  private touch(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      // A reply still playing is activity too: wait for it before calling the client idle.
      if (this.active) return this.touch();
      this.send({ type: 'error', problem: this.options.problemOf(idleProblem(this.options.limits.idleTimeoutMs)) });
      this.options.transport.close(CLOSE.normal, 'idle timeout');
      this.close();
    }, this.options.limits.idleTimeoutMs);
    this.idle.unref();
  }
}

function idleProblem(ms: number): HttpProblem {
  return new HttpProblem(408, 'VOICE_IDLE_TIMEOUT', `No message for ${ms} ms; the session is closed.`);
}
