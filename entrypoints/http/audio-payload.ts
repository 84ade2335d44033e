import { ValidationError } from '../../core/errors.js';
import { AUDIO_MIME_TYPES, type Audio } from '../../core/model/audio.js';
import { HttpProblem } from './problem.js';

/** Bytes that base64 of `length` characters (already checked to be strict, padded base64) decodes to. */
export function decodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

/** Decodes an uploaded WAV clip, refusing oversized ones before allocating them and anything that is not RIFF/WAVE. */
export function decodeWavUpload(base64: string, maxBytes: number): Audio {
  const size = decodedLength(base64);
  if (size > maxBytes) {
    throw new HttpProblem(413, 'AUDIO_TOO_LARGE', `The audio clip is ${size} bytes; the limit is ${maxBytes} bytes.`, {
      extensions: { limitBytes: maxBytes },
    });
  }
  const data = Buffer.from(base64, 'base64');
  const sampleRate = wavSampleRate(data);
  if (sampleRate === undefined) {
    throw new ValidationError('audio.data is not a WAV (RIFF/WAVE) file with a fmt chunk', {
      details: { field: 'audio.data' },
    });
  }
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), format: 'wav', sampleRate };
}

/** Walks the RIFF chunks to the `fmt ` chunk and reads its sample rate. */
function wavSampleRate(data: Buffer): number | undefined {
  if (data.length < 12 || data.toString('ascii', 0, 4) !== 'RIFF' || data.toString('ascii', 8, 12) !== 'WAVE')
    return undefined;
  let offset = 12;
  while (offset + 8 <= data.length) {
    const id = data.toString('ascii', offset, offset + 4);
    const size = data.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      if (size < 16 || offset + 8 + 16 > data.length) return undefined;
      const rate = data.readUInt32LE(offset + 12);
      return rate > 0 ? rate : undefined;
    }
    offset += 8 + size + (size % 2);
  }
  return undefined;
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
