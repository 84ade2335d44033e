// One WAV/PCM codec for every family: the local synthesizer writes WAV, the AWS speech services speak raw 16-bit PCM
// while the port also carries WAV, and the tests read back what the synthesizers produce.
import { ValidationError } from '../../core/errors.js';
import type { Audio } from '../../core/model/audio.js';

/** Decoded RIFF/WAVE audio; `samples` are interleaved per channel, converted to signed 16-bit whatever the source depth. */
export interface DecodedWav {
  sampleRate: number;
  channels: number;
  /** The bit depth stored in the file, before conversion to 16 bits. */
  bitsPerSample: number;
  samples: Int16Array;
}

interface Format {
  code: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bits: number;
}

const HEADER_BYTES = 44;
const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Streaming writers put these in the data chunk size when the length is unknown at write time. */
const UNKNOWN_SIZES = new Set([0, 0xffffffff]);

/** Signed 16-bit little-endian mono samples and their rate, the one layout Lex, Polly and Transcribe share. */
export interface Pcm16 {
  data: Uint8Array;
  sampleRate: number;
}

/** Wraps signed 16-bit mono samples in a canonical 44-byte RIFF/WAVE header. */
export function encodeWav(samples: Int16Array, sampleRate: number): Uint8Array {
  const { bytes, view } = withHeader(samples.length * 2, sampleRate);
  for (let i = 0; i < samples.length; i += 1) view.setInt16(HEADER_BYTES + i * 2, samples[i] as number, true);
  return bytes;
}

/** Wraps 16-bit little-endian mono PCM bytes, as the speech services return them, in a canonical WAVE header. */
export function wavFromPcm(pcm: Uint8Array, sampleRate: number): Uint8Array {
  const { bytes } = withHeader(pcm.length, sampleRate);
  bytes.set(pcm, HEADER_BYTES);
  return bytes;
}

/**
 * The clip as 16-bit mono PCM, whether it came as `pcm` or `wav`, with WAV channels averaged down to one. Only 16-bit
 * integer WAV is taken: the services accept nothing else, and a silent conversion would hide a client sending the
 * wrong thing. Errors are prefixed with `adapter`; formats other than pcm and wav are the caller's to refuse.
 */
export function pcmOf(audio: Audio, adapter: string): Pcm16 {
  if (audio.format !== 'wav') {
    if (audio.data.length % 2 !== 0)
      throw new ValidationError(`${adapter}: 16-bit PCM must have an even number of bytes`);
    return { data: audio.data, sampleRate: audio.sampleRate };
  }
  let decoded: DecodedWav;
  try {
    decoded = parseWav(audio.data, { only16Bit: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^wav: /, '') : String(error);
    throw new ValidationError(`${adapter}: ${detail}`, { cause: error });
  }
  return { data: littleEndianBytes(downmix(decoded.samples, decoded.channels)), sampleRate: decoded.sampleRate };
}

function withHeader(dataBytes: number, sampleRate: number): { bytes: Uint8Array; view: DataView } {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0)
    throw new ValidationError(`wav: invalid sample rate ${sampleRate}`);
  const bytes = new Uint8Array(HEADER_BYTES + dataBytes);
  const view = new DataView(bytes.buffer);
  writeAscii(bytes, 0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  writeAscii(bytes, 8, 'WAVE');
  writeAscii(bytes, 12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  writeAscii(bytes, 36, 'data');
  view.setUint32(40, dataBytes, true);
  return { bytes, view };
}

/**
 * Parses a PCM (8/16/24/32-bit integer or 32-bit float) WAVE file; throws ValidationError on anything malformed.
 * With `only16Bit`, any other encoding is refused instead of converted.
 */
export function parseWav(bytes: Uint8Array, options: { only16Bit?: boolean } = {}): DecodedWav {
  if (bytes.length < 12 || readAscii(bytes, 0) !== 'RIFF' || readAscii(bytes, 8) !== 'WAVE') {
    throw new ValidationError('wav: not a RIFF/WAVE file');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: Format | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = readAscii(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > bytes.length) throw new ValidationError('wav: truncated fmt chunk');
      format = {
        code: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
      if (format.code === FORMAT_EXTENSIBLE && size >= 26) format.code = view.getUint16(body + 24, true);
    } else if (id === 'data') {
      if (!format) throw new ValidationError('wav: data chunk before fmt chunk');
      const available = bytes.length - body;
      if (!UNKNOWN_SIZES.has(size) && size > available) throw new ValidationError('wav: truncated data chunk');
      const length = UNKNOWN_SIZES.has(size) ? available : size;
      // A trailing partial frame is dropped rather than rejected: some recorders stop mid-frame.
      return decode(
        checkFormat(format, options.only16Bit ?? false),
        bytes.subarray(body, body + length - (length % format.blockAlign)),
      );
    }
    offset = body + size + (size % 2);
  }
  throw new ValidationError(format ? 'wav: no data chunk' : 'wav: no fmt chunk');
}

function checkFormat(format: Format, only16Bit: boolean): Format {
  const integer =
    format.code === FORMAT_PCM && (only16Bit ? format.bits === 16 : [8, 16, 24, 32].includes(format.bits));
  const float = !only16Bit && format.code === FORMAT_FLOAT && format.bits === 32;
  if (!integer && !float)
    throw new ValidationError(`wav: unsupported encoding (format ${format.code}, ${format.bits} bits)`);
  if (format.channels < 1 || format.sampleRate < 1) throw new ValidationError('wav: zero channels or sample rate');
  if (format.blockAlign !== format.channels * (format.bits / 8))
    throw new ValidationError('wav: block align does not match channels and bit depth');
  return format;
}

function decode(format: Format, data: Uint8Array): DecodedWav {
  const width = format.bits / 8;
  const samples = new Int16Array(data.length / width);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < samples.length; i += 1) samples[i] = toInt16(view, i * width, format);
  return { sampleRate: format.sampleRate, channels: format.channels, bitsPerSample: format.bits, samples };
}

function toInt16(view: DataView, at: number, format: Format): number {
  if (format.code === FORMAT_FLOAT) return Math.round(Math.max(-1, Math.min(1, view.getFloat32(at, true))) * 32767);
  switch (format.bits) {
    case 8:
      return (view.getUint8(at) - 128) << 8;
    case 16:
      return view.getInt16(at, true);
    case 24:
      return view.getInt16(at + 1, true);
    default:
      return view.getInt32(at, true) >> 16;
  }
}

/** Interleaved frames of `channels` samples to mono, averaging the channels. */
export function downmix(samples: Int16Array, channels: number): Int16Array {
  if (channels === 1) return samples;
  const mono = new Int16Array(Math.floor(samples.length / channels));
  for (let i = 0; i < mono.length; i += 1) {
    let sum = 0;
    for (let c = 0; c < channels; c += 1) sum += samples[i * channels + c] as number;
    mono[i] = Math.round(sum / channels);
  }
  return mono;
}

function littleEndianBytes(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i += 1) view.setInt16(i * 2, samples[i] as number, true);
  return bytes;
}

function writeAscii(bytes: Uint8Array, at: number, text: string): void {
  for (let i = 0; i < text.length; i += 1) bytes[at + i] = text.charCodeAt(i);
}

function readAscii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}
