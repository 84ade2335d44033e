// Audio a user sends, in whatever a client records (WAV at any common rate, raw 16-bit PCM, Ogg/Opus, WebM/Opus from
// MediaRecorder), turned into the one thing recognizers take: 16 kHz mono 16-bit samples. Refuses, with a distinct
// AudioInputError per reason, what cannot be used: unsupported encodings and rates, corrupt files, no samples, no
// speech energy, or longer than the limit.
import { AudioInputError } from './audio-input-error.js';
import { demuxOggOpus } from './ogg-opus.js';
import { decodeOpus, OPUS_OUTPUT_RATE } from './opus.js';
import { resample } from './resample.js';
import { downmix, parseWav } from './wav.js';
import { demuxWebmOpus } from './webm-opus.js';

export const INPUT_ENCODINGS = ['wav', 'pcm', 'ogg', 'webm'] as const;
export type InputEncoding = (typeof INPUT_ENCODINGS)[number];

/** The rate recognizers take. */
export const SPEECH_RATE = 16_000;
export const MIN_INPUT_RATE = 8_000;
export const MAX_INPUT_RATE = 48_000;

export interface SpeechInputOptions {
  encoding: InputEncoding;
  /** Raw PCM only: its rate (required) and channel count (1 or 2, default 1). */
  sampleRate?: number;
  channels?: number;
  /** Longest accepted duration in seconds. */
  maxSeconds: number;
}

export interface SpeechInput {
  /** 16 kHz mono. */
  samples: Int16Array;
  sampleRate: typeof SPEECH_RATE;
  seconds: number;
  /** The rate the client sent. */
  sourceRate: number;
}

export async function decodeSpeechInput(bytes: Uint8Array, options: SpeechInputOptions): Promise<SpeechInput> {
  if (bytes.length === 0) throw new AudioInputError('empty', 'the audio is empty (0 bytes)');
  const { samples, rate } = await decodeToMono(bytes, options);
  if (samples.length === 0) throw new AudioInputError('empty', 'the audio has no samples');
  const seconds = samples.length / rate;
  if (seconds > options.maxSeconds) {
    throw new AudioInputError(
      'too-long',
      `the audio lasts ${seconds.toFixed(1)} s; the limit is ${options.maxSeconds} s`,
      { limit: options.maxSeconds },
    );
  }
  const speech = rate === SPEECH_RATE ? samples : resample(samples, rate, SPEECH_RATE);
  if (!hasSpeechEnergy(speech, SPEECH_RATE)) {
    throw new AudioInputError('silent', 'the audio is silent (no frame louder than -50 dBFS for 0.2 s)');
  }
  return { samples: speech, sampleRate: SPEECH_RATE, seconds, sourceRate: rate };
}

async function decodeToMono(
  bytes: Uint8Array,
  options: SpeechInputOptions,
): Promise<{ samples: Int16Array; rate: number }> {
  switch (options.encoding) {
    case 'wav': {
      let wav;
      try {
        wav = parseWav(bytes);
      } catch (error) {
        const detail = error instanceof Error ? error.message.replace(/^wav: /, '') : String(error);
        const kind = /unsupported encoding/.test(detail) ? 'unsupported' : 'corrupt';
        throw new AudioInputError(kind, `the WAV file cannot be read: ${detail}`, { cause: error });
      }
      checkRate(wav.sampleRate);
      checkChannels(wav.channels);
      return { samples: downmix(wav.samples, wav.channels), rate: wav.sampleRate };
    }
    case 'pcm': {
      const rate = options.sampleRate;
      if (rate === undefined)
        throw new AudioInputError('unsupported', 'raw PCM needs its sample rate (e.g. audio/L16;rate=16000)');
      checkRate(rate);
      const channels = options.channels ?? 1;
      checkChannels(channels);
      if (bytes.length % (2 * channels) !== 0) {
        throw new AudioInputError(
          'corrupt',
          `raw 16-bit PCM with ${channels} channel(s) must be a whole number of frames`,
        );
      }
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const interleaved = new Int16Array(bytes.length / 2);
      for (let i = 0; i < interleaved.length; i += 1) interleaved[i] = view.getInt16(i * 2, true);
      return { samples: downmix(interleaved, channels), rate };
    }
    case 'ogg':
      return { samples: await decodeOpus(demuxOggOpus(bytes)), rate: OPUS_OUTPUT_RATE };
    case 'webm':
      return { samples: await decodeOpus(demuxWebmOpus(bytes)), rate: OPUS_OUTPUT_RATE };
    default:
      throw new AudioInputError('unsupported', `audio encoding "${String(options.encoding)}" is not accepted`);
  }
}

function checkRate(rate: number): void {
  if (!Number.isInteger(rate) || rate < MIN_INPUT_RATE || rate > MAX_INPUT_RATE) {
    throw new AudioInputError(
      'unsupported',
      `a sample rate of ${rate} Hz is not accepted (${MIN_INPUT_RATE}–${MAX_INPUT_RATE} Hz)`,
    );
  }
}

function checkChannels(channels: number): void {
  if (channels !== 1 && channels !== 2) {
    throw new AudioInputError('unsupported', `audio with ${channels} channels is not accepted (mono or stereo)`);
  }
}

/** 20 ms frames louder than this RMS (-50 dBFS) count as sound. */
const SOUND_RMS = 32768 * 10 ** (-50 / 20);
/** At least this much sound for the clip to hold speech. */
const MIN_SOUND_SECONDS = 0.2;

/** A simple energy check: at least 0.2 s of 20 ms frames above -50 dBFS. */
export function hasSpeechEnergy(samples: Int16Array, rate: number): boolean {
  const frame = Math.round(rate * 0.02);
  const needed = Math.ceil(MIN_SOUND_SECONDS / 0.02);
  let loud = 0;
  for (let start = 0; start + frame <= samples.length; start += frame) {
    let sum = 0;
    for (let i = start; i < start + frame; i += 1) sum += (samples[i] as number) ** 2;
    if (Math.sqrt(sum / frame) > SOUND_RMS) {
      loud += 1;
      if (loud >= needed) return true;
    }
  }
  return false;
}
