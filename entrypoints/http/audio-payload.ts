import { AudioInputError, type AudioInputProblem } from '../../adapters/shared/audio-input-error.js';
import { decodeSpeechInput, type InputEncoding } from '../../adapters/shared/audio-input.js';
import { encodeWav } from '../../adapters/shared/wav.js';
import { AUDIO_MIME_TYPES, type Audio } from '../../core/model/audio.js';
import { HttpProblem } from './problem.js';

/** Bytes that base64 of `length` characters (already checked to be strict, padded base64) decodes to. */
export function decodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

/** How the client described its audio: `format` is a short name or a MIME type with parameters. */
export interface AudioUpload {
  data: string;
  format: string;
  sampleRate?: number;
  channels?: number;
}

export interface AudioLimits {
  /** Largest decoded clip in bytes (what `AUDIO_BODY_LIMIT_BYTES` holds as base64). */
  maxBytes: number;
  /** Longest clip in seconds (`AUDIO_MAX_SECONDS`). */
  maxSeconds: number;
}

const ENCODINGS: Readonly<Record<string, InputEncoding>> = {
  wav: 'wav',
  wave: 'wav',
  'audio/wav': 'wav',
  'audio/wave': 'wav',
  'audio/x-wav': 'wav',
  'audio/vnd.wave': 'wav',
  pcm: 'pcm',
  l16: 'pcm',
  'audio/l16': 'pcm',
  'audio/pcm': 'pcm',
  'audio/x-pcm': 'pcm',
  ogg: 'ogg',
  opus: 'ogg',
  'audio/ogg': 'ogg',
  'audio/opus': 'ogg',
  webm: 'webm',
  'audio/webm': 'webm',
};

export const ACCEPTED_AUDIO_FORMATS =
  'wav (PCM 8/16/24/32-bit or float, 8–48 kHz, mono or stereo), pcm or audio/L16;rate=N (16-bit little-endian), ' +
  'ogg or audio/ogg (Opus), webm or audio/webm;codecs=opus (what MediaRecorder records)';

/** Reads `format` ("wav", "audio/L16;rate=16000;channels=2", "audio/webm;codecs=opus") into an encoding and its parameters. */
export function parseAudioFormat(upload: Omit<AudioUpload, 'data'>): {
  encoding: InputEncoding;
  sampleRate?: number;
  channels?: number;
} {
  const [type = '', ...rest] = upload.format.toLowerCase().split(';');
  const params = new Map(
    rest.map((param) => {
      const [key = '', value = ''] = param.split('=').map((part) => part.trim());
      return [key, value.replace(/^"|"$/g, '')] as const;
    }),
  );
  const encoding = ENCODINGS[type.trim()];
  const codecs = params.get('codecs');
  if (!encoding || (codecs !== undefined && (encoding === 'ogg' || encoding === 'webm') && codecs !== 'opus')) {
    throw new HttpProblem(
      415,
      'AUDIO_UNSUPPORTED_FORMAT',
      `Audio format "${upload.format}" is not supported; send one of: ${ACCEPTED_AUDIO_FORMATS}.`,
    );
  }
  const rate = params.has('rate') ? Number(params.get('rate')) : upload.sampleRate;
  const channels = params.has('channels') ? Number(params.get('channels')) : upload.channels;
  return { encoding, ...(rate !== undefined && { sampleRate: rate }), ...(channels !== undefined && { channels }) };
}

/**
 * Decodes an uploaded clip (WAV at any common rate, raw PCM, Ogg/Opus, WebM/Opus) into the 16 kHz mono WAV every
 * recognizer takes, refusing oversized clips before allocating them and answering each unusable clip with its own
 * problem: 415 unsupported format; 422 corrupt, empty, silent or too long; 413 too large.
 */
export async function decodeAudioUpload(upload: AudioUpload, limits: AudioLimits): Promise<Audio> {
  const format = parseAudioFormat(upload);
  const size = decodedLength(upload.data);
  if (size > limits.maxBytes) {
    throw new HttpProblem(
      413,
      'AUDIO_TOO_LARGE',
      `The audio clip is ${size} bytes; the limit is ${limits.maxBytes} bytes.`,
      {
        extensions: { limitBytes: limits.maxBytes },
      },
    );
  }
  const data = Buffer.from(upload.data, 'base64');
  try {
    const speech = await decodeSpeechInput(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), {
      ...format,
      maxSeconds: limits.maxSeconds,
    });
    return { data: encodeWav(speech.samples, speech.sampleRate), format: 'wav', sampleRate: speech.sampleRate };
  } catch (error) {
    if (error instanceof AudioInputError) throw problemOf(error);
    throw error;
  }
}

/** Status and stable code (the problem `type` is derived from it, e.g. urn:voice-assistant:problem:audio-silent). */
const PROBLEMS: Readonly<Record<AudioInputProblem, { status: number; code: string }>> = {
  unsupported: { status: 415, code: 'AUDIO_UNSUPPORTED_FORMAT' },
  corrupt: { status: 422, code: 'AUDIO_CORRUPT' },
  empty: { status: 422, code: 'AUDIO_EMPTY' },
  silent: { status: 422, code: 'AUDIO_SILENT' },
  'too-long': { status: 422, code: 'AUDIO_TOO_LONG' },
};

function problemOf(error: AudioInputError): HttpProblem {
  const { status, code } = PROBLEMS[error.problem];
  const detail = error.message.replace(/^audio: /, '');
  let sentence = `${detail.charAt(0).toUpperCase()}${detail.slice(1)}.`;
  if (error.problem === 'unsupported') sentence += ` Send one of: ${ACCEPTED_AUDIO_FORMATS}.`;
  return new HttpProblem(status, code, sentence, {
    ...(error.limit !== undefined && { extensions: { limitSeconds: error.limit } }),
  });
}

/** The reply's audio as JSON: base64 plus what a player needs to play it. */
export function encodeAudio(audio: Audio) {
  return {
    data: Buffer.from(audio.data.buffer, audio.data.byteOffset, audio.data.byteLength).toString('base64'),
    format: audio.format,
    mimeType: AUDIO_MIME_TYPES[audio.format],
    sampleRate: audio.sampleRate,
  };
}
