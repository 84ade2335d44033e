// Opus packets to 16 kHz mono PCM with `opus-decoder` (libopus compiled to WebAssembly, embedded in the package: no
// download, no native build). Loaded on first use, so nothing pays for it until an Opus clip arrives.
import { AudioInputError } from './audio-input-error.js';
import type { OpusStream } from './ogg-opus.js';

export const OPUS_OUTPUT_RATE = 16_000;

export async function decodeOpus(stream: OpusStream): Promise<Int16Array> {
  if (stream.packets.length === 0) throw new AudioInputError('empty', 'the Opus stream has no audio packets');
  const { OpusDecoder } = await import('opus-decoder');
  const decoder = new OpusDecoder({
    sampleRate: OPUS_OUTPUT_RATE,
    channels: stream.channels,
    preSkip: stream.preSkip,
  });
  try {
    await decoder.ready;
    const decoded = decoder.decodeFrames(stream.packets);
    if (decoded.errors.length > 0 && decoded.samplesDecoded === 0) {
      throw new AudioInputError(
        'corrupt',
        `the Opus frames cannot be decoded (${decoded.errors[0]?.message ?? 'error'})`,
      );
    }
    return toMonoInt16(decoded.channelData, decoded.samplesDecoded);
  } finally {
    decoder.free();
  }
}

function toMonoInt16(channels: Float32Array[], length: number): Int16Array {
  const out = new Int16Array(length);
  for (let i = 0; i < length; i += 1) {
    let sum = 0;
    for (const channel of channels) sum += channel[i] ?? 0;
    const value = Math.round((sum / channels.length) * 32767);
    out[i] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
  }
  return out;
}
