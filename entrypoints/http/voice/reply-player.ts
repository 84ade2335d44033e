import { parseWav } from '../../../adapters/shared/wav.js';
import type { Audio } from '../../../core/model/audio.js';
import type { SpeechSynthesizer } from '../../../core/ports/speech-synthesizer.js';
import type { Problem } from '../schemas.js';
import type { ServerMessage, VoiceLimits } from './voice-protocol.js';

/** The socket as the session sees it: text and binary messages out, how much is still queued, and close. */
export interface VoiceTransport {
  sendText(text: string): void;
  sendBinary(data: Uint8Array): void;
  bufferedAmount(): number;
  close(code: number, reason: string): void;
}

export interface ReplyPlayerOptions {
  transport: VoiceTransport;
  synthesizer?: SpeechSynthesizer;
  limits: Pick<VoiceLimits, 'playbackLeadMs' | 'maxBufferedBytes'>;
  /** Milliseconds on a monotonic clock. */
  now: () => number;
  /** Sends a control message (the session drops it once the socket closed). */
  send: (message: ServerMessage) => void;
  problemOf: (error: unknown) => Problem;
}

/** The sentence to say and how: its place in the reply, the session's language and chosen voice. */
export interface Sentence {
  text: string;
  index: number;
  language: string;
  voice?: string;
}

/** When the reply's first audio went out and how long its first sentence took to synthesise (monotonic ms). */
export interface PlaybackMarks {
  firstAudio?: number;
  firstSentenceSynthesis?: number;
}

/** Reply audio goes out in messages of this much sound. */
const CHUNK_MS = 40;

/**
 * Says a reply sentence by sentence over the socket: synthesises each one, sends its audio paced to the client's
 * playback (never further ahead than `playbackLeadMs`, and waiting while the socket's buffer is full), and records the
 * words that reached the client, so an interrupted reply is stored as what the user heard.
 */
export class ReplyPlayer {
  /** When the client's playback would finish the audio sent so far. */
  private playhead = 0;

  constructor(private readonly options: ReplyPlayerOptions) {}

  /** Synthesises one sentence and sends its audio paced to playback; appends what reached the client to `delivered`. */
  async speak(sentence: Sentence, stop: AbortSignal, delivered: string[], marks: PlaybackMarks): Promise<void> {
    if (stop.aborted) return;
    const { synthesizer, now, send, transport } = this.options;
    const { text, index } = sentence;
    if (!synthesizer) {
      delivered.push(text);
      return;
    }
    const started = now();
    let pcm: { data: Uint8Array; sampleRate: number };
    try {
      pcm = toPcm(
        await synthesizer.synthesize({
          text: text.trim(),
          language: sentence.language,
          ...(sentence.voice && synthesizer.capabilities.voices.includes(sentence.voice) && { voice: sentence.voice }),
          format: synthesizer.capabilities.formats.includes('pcm') ? 'pcm' : 'wav',
          signal: stop,
        }),
      );
    } catch (error) {
      if (stop.aborted) return;
      // The text reply stands (the client has it from reply-delta): say speech failed, count the text as delivered.
      send({ type: 'error', problem: this.options.problemOf(error) });
      delivered.push(text);
      return;
    }
    if (index === 0) marks.firstSentenceSynthesis = now() - started;
    if (stop.aborted) return;
    const format = { encoding: 'pcm16le' as const, sampleRate: pcm.sampleRate, channels: 1 as const };
    send({ type: 'audio-start', sentence: index, text, format, bytes: pcm.data.byteLength });
    const chunkBytes = Math.max(2, Math.round((pcm.sampleRate * CHUNK_MS) / 1000) * 2);
    let sent = 0;
    while (sent < pcm.data.byteLength) {
      await this.pace(stop);
      if (stop.aborted) break;
      const chunk = pcm.data.subarray(sent, sent + chunkBytes);
      transport.sendBinary(chunk);
      marks.firstAudio ??= now();
      sent += chunk.byteLength;
      this.playhead = Math.max(this.playhead, now()) + (chunk.byteLength / 2 / pcm.sampleRate) * 1000;
    }
    const whole = sent >= pcm.data.byteLength;
    send({ type: 'audio-end', sentence: index, ...(!whole && { interrupted: true as const }) });
    delivered.push(whole ? text : wordsSent(text, sent / pcm.data.byteLength));
  }

  /** Waits until sending more keeps within the playback lead and the socket's buffer has room. */
  private async pace(stop: AbortSignal): Promise<void> {
    const { limits, now, transport } = this.options;
    for (;;) {
      if (stop.aborted) return;
      const ahead = this.playhead - now() - limits.playbackLeadMs;
      const full = transport.bufferedAmount() > limits.maxBufferedBytes;
      if (ahead <= 0 && !full) return;
      await sleep(full ? 10 : Math.min(ahead, 50), stop);
    }
  }
}

function toPcm(audio: Audio): { data: Uint8Array; sampleRate: number } {
  if (audio.format === 'pcm') return { data: audio.data, sampleRate: audio.sampleRate };
  const wav = parseWav(audio.data);
  return {
    data: new Uint8Array(wav.samples.buffer, wav.samples.byteOffset, wav.samples.byteLength),
    sampleRate: wav.sampleRate,
  };
}

/** The words of a sentence whose audio was cut at `fraction`: roughly what the user heard of it. */
function wordsSent(text: string, fraction: number): string {
  const words = text.trim().split(/\s+/);
  const kept = words.slice(0, Math.floor(words.length * fraction));
  return kept.length > 0 ? `${kept.join(' ')} ` : '';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
