// The AWS speech services speak raw 16-bit PCM, while the port also carries WAV. The local family has a full WAV codec,
// but AWS adapters may not import it (each Lambda bundle stays small), so this is the little the AWS side needs.
import { ValidationError } from '../../core/errors.js';
import type { Audio } from '../../core/model/audio.js';

/** Signed 16-bit little-endian mono samples and their rate, the one layout Lex, Polly and Transcribe share. */
export interface Pcm16 {
  data: Uint8Array;
  sampleRate: number;
}

const HEADER_BYTES = 44;
const FORMAT_PCM = 1;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Streaming writers put these in the data chunk size when the length is unknown at write time. */
const UNKNOWN_SIZES = new Set([0, 0xffffffff]);

/** Wraps 16-bit mono PCM in a canonical 44-byte RIFF/WAVE header. */
export function wavFromPcm(pcm: Uint8Array, sampleRate: number): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES + pcm.length);
  const view = new DataView(bytes.buffer);
  ascii(bytes, 0, 'RIFF');
  view.setUint32(4, 36 + pcm.length, true);
  ascii(bytes, 8, 'WAVE');
  ascii(bytes, 12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(bytes, 36, 'data');
  view.setUint32(40, pcm.length, true);
  bytes.set(pcm, HEADER_BYTES);
  return bytes;
}

/**
 * The PCM inside a 16-bit integer WAVE file, averaged down to one channel. Other encodings are refused rather than
 * converted: the services take nothing else, and a silent conversion would hide a client sending the wrong thing.
 */
export function pcmFromWav(bytes: Uint8Array, adapter: string): Pcm16 {
  if (bytes.length < 12 || text(bytes, 0) !== 'RIFF' || text(bytes, 8) !== 'WAVE') throw new ValidationError(`${adapter}: audio is not a RIFF/WAVE file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: { code: number; channels: number; sampleRate: number; bits: number } | undefined;
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const id = text(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > bytes.length) throw new ValidationError(`${adapter}: truncated WAV fmt chunk`);
      const code = view.getUint16(body, true);
      format = {
        code: code === FORMAT_EXTENSIBLE && size >= 26 ? view.getUint16(body + 24, true) : code,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!format) throw new ValidationError(`${adapter}: WAV data chunk before its fmt chunk`);
      if (format.code !== FORMAT_PCM || format.bits !== 16 || format.channels < 1 || format.sampleRate < 1) {
        throw new ValidationError(`${adapter}: only 16-bit integer PCM WAV is supported (got format ${format.code}, ${format.bits} bits)`);
      }
      const available = bytes.length - body;
      if (!UNKNOWN_SIZES.has(size) && size > available) throw new ValidationError(`${adapter}: truncated WAV data chunk`);
      const length = UNKNOWN_SIZES.has(size) ? available : size;
      const frame = 2 * format.channels;
      return { data: downmix(bytes.subarray(body, body + length - (length % frame)), format.channels), sampleRate: format.sampleRate };
    }
    offset = body + size + (size % 2);
  }
  throw new ValidationError(`${adapter}: WAV file has no ${format ? 'data' : 'fmt'} chunk`);
}

/** The clip as 16-bit mono PCM, whether it came as `pcm` or `wav`; other formats are the caller's to refuse. */
export function pcmOf(audio: Audio, adapter: string): Pcm16 {
  if (audio.format === 'wav') return pcmFromWav(audio.data, adapter);
  if (audio.data.length % 2 !== 0) throw new ValidationError(`${adapter}: 16-bit PCM must have an even number of bytes`);
  return { data: audio.data, sampleRate: audio.sampleRate };
}

function downmix(interleaved: Uint8Array, channels: number): Uint8Array {
  if (channels === 1) return interleaved;
  const source = new DataView(interleaved.buffer, interleaved.byteOffset, interleaved.byteLength);
  const frames = interleaved.length / (2 * channels);
  const mono = new Uint8Array(frames * 2);
  const target = new DataView(mono.buffer);
  for (let i = 0; i < frames; i += 1) {
    let sum = 0;
    for (let c = 0; c < channels; c += 1) sum += source.getInt16((i * channels + c) * 2, true);
    target.setInt16(i * 2, Math.round(sum / channels), true);
  }
  return mono;
}

function ascii(bytes: Uint8Array, at: number, value: string): void {
  for (let i = 0; i < value.length; i += 1) bytes[at + i] = value.charCodeAt(i);
}

function text(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}
