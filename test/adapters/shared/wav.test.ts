import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeWav, parseWav, pcmOf, wavFromPcm } from '../../../adapters/shared/wav.js';
import { ValidationError } from '../../../core/errors.js';

/** Builds a WAVE file by hand, so the parser is checked against layouts encodeWav never writes. */
function wavFile(options: {
  format?: number;
  channels?: number;
  sampleRate?: number;
  bits?: number;
  blockAlign?: number;
  data: Uint8Array;
  dataSize?: number;
  before?: { id: string; body: Uint8Array }[];
  fmtExtra?: Uint8Array;
}): Uint8Array {
  const { format = 1, channels = 1, sampleRate = 16_000, bits = 16, data } = options;
  const blockAlign = options.blockAlign ?? channels * (bits / 8);
  const fmt = new Uint8Array(16 + (options.fmtExtra?.length ?? 0));
  const f = new DataView(fmt.buffer);
  f.setUint16(0, format, true);
  f.setUint16(2, channels, true);
  f.setUint32(4, sampleRate, true);
  f.setUint32(8, sampleRate * blockAlign, true);
  f.setUint16(12, blockAlign, true);
  f.setUint16(14, bits, true);
  if (options.fmtExtra) fmt.set(options.fmtExtra, 16);
  const chunks = [
    ...(options.before ?? []),
    { id: 'fmt ', body: fmt },
    { id: 'data', body: data, size: options.dataSize },
  ];
  const parts: Uint8Array[] = [];
  for (const chunk of chunks) {
    const header = new Uint8Array(8);
    header.set(Buffer.from(chunk.id, 'latin1'));
    new DataView(header.buffer).setUint32(
      4,
      'size' in chunk && chunk.size !== undefined ? chunk.size : chunk.body.length,
      true,
    );
    parts.push(header, chunk.body);
    if (chunk.body.length % 2 === 1 && chunk.id !== 'data') parts.push(new Uint8Array(1));
  }
  const body = Buffer.concat(parts);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length + 4, 4);
  riff.write('WAVE', 8, 'latin1');
  return new Uint8Array(Buffer.concat([riff, body]));
}

const le16 = (...values: number[]) => {
  const bytes = new Uint8Array(values.length * 2);
  values.forEach((v, i) => new DataView(bytes.buffer).setInt16(i * 2, v, true));
  return bytes;
};

describe('encodeWav', () => {
  it('writes the canonical 44-byte header for 16-bit mono', () => {
    const bytes = encodeWav(new Int16Array([1, -2, 32767, -32768]), 22_050);
    const view = new DataView(bytes.buffer);

    expect(bytes.length).toBe(44 + 8);
    expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('RIFF');
    expect(view.getUint32(4, true)).toBe(36 + 8);
    expect(Buffer.from(bytes.subarray(8, 16)).toString('latin1')).toBe('WAVEfmt ');
    expect([view.getUint32(16, true), view.getUint16(20, true), view.getUint16(22, true)]).toEqual([16, 1, 1]);
    expect([
      view.getUint32(24, true),
      view.getUint32(28, true),
      view.getUint16(32, true),
      view.getUint16(34, true),
    ]).toEqual([22_050, 44_100, 2, 16]);
    expect(Buffer.from(bytes.subarray(36, 40)).toString('latin1')).toBe('data');
    expect(view.getUint32(40, true)).toBe(8);
    expect(view.getInt16(44 + 6, true)).toBe(-32768);
  });

  it('round-trips any samples and rate through parseWav', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 500 }),
        fc.integer({ min: 1, max: 192_000 }),
        (values, rate) => {
          const parsed = parseWav(encodeWav(Int16Array.from(values), rate));
          expect(parsed).toEqual({
            sampleRate: rate,
            channels: 1,
            bitsPerSample: 16,
            samples: Int16Array.from(values),
          });
        },
      ),
    );
  });

  it('refuses a sample rate that is not a positive integer', () => {
    expect(() => encodeWav(new Int16Array(1), 0)).toThrow(ValidationError);
    expect(() => encodeWav(new Int16Array(1), 22_050.5)).toThrow(ValidationError);
  });
});

describe('parseWav', () => {
  it('skips chunks it does not know, including odd-sized ones with their pad byte', () => {
    const bytes = wavFile({ data: le16(5, -5), before: [{ id: 'LIST', body: new Uint8Array([1, 2, 3]) }] });
    expect(parseWav(bytes).samples).toEqual(Int16Array.from([5, -5]));
  });

  it('reads stereo as interleaved samples', () => {
    expect(parseWav(wavFile({ channels: 2, data: le16(1, 2, 3, 4) }))).toMatchObject({
      channels: 2,
      samples: Int16Array.from([1, 2, 3, 4]),
    });
  });

  it('converts 8-, 24- and 32-bit integers and 32-bit floats to 16 bits', () => {
    expect(parseWav(wavFile({ bits: 8, data: new Uint8Array([128, 255, 0]) })).samples).toEqual(
      Int16Array.from([0, 127 << 8, -32768]),
    );
    expect(parseWav(wavFile({ bits: 24, data: new Uint8Array([0xff, 0x34, 0x12, 0x00, 0x00, 0x80]) })).samples).toEqual(
      Int16Array.from([0x1234, -32768]),
    );
    const int32 = new Uint8Array(4);
    new DataView(int32.buffer).setInt32(0, -0x12340000, true);
    expect(parseWav(wavFile({ bits: 32, data: int32 })).samples).toEqual(Int16Array.from([-0x1234]));
    const floats = new Uint8Array(12);
    [0.5, -1, 2].forEach((v, i) => new DataView(floats.buffer).setFloat32(i * 4, v, true));
    expect(parseWav(wavFile({ format: 3, bits: 32, data: floats }))).toMatchObject({
      bitsPerSample: 32,
      samples: Int16Array.from([16384, -32767, 32767]),
    });
  });

  it('accepts WAVE_FORMAT_EXTENSIBLE with a PCM sub-format', () => {
    const extra = new Uint8Array(10);
    new DataView(extra.buffer).setUint16(8, 1, true);
    expect(parseWav(wavFile({ format: 0xfffe, data: le16(7), fmtExtra: extra })).samples).toEqual(Int16Array.from([7]));
  });

  it('reads to the end when a streaming writer left the data size unknown, dropping a partial frame', () => {
    const data = new Uint8Array([...le16(1, 2), 9]);
    expect(parseWav(wavFile({ data, dataSize: 0xffffffff })).samples).toEqual(Int16Array.from([1, 2]));
    expect(parseWav(wavFile({ data, dataSize: 0 })).samples).toEqual(Int16Array.from([1, 2]));
  });

  it.each([
    ['empty input', new Uint8Array(0)],
    ['an MP3 frame', new Uint8Array([0xff, 0xfb, 0x90, 0x64, ...new Array(40).fill(0)])],
    ['RIFF that is not WAVE', new Uint8Array([...Buffer.from('RIFF\x04\x00\x00\x00AVI ', 'latin1')])],
    ['no fmt chunk', new Uint8Array([...Buffer.from('RIFF\x04\x00\x00\x00WAVE', 'latin1')])],
    ['a data chunk longer than the file', wavFile({ data: le16(1, 2), dataSize: 400 })],
    ['A-law', wavFile({ format: 6, bits: 8, data: new Uint8Array(4) })],
    ['12-bit samples', wavFile({ bits: 12, blockAlign: 2, data: new Uint8Array(4) })],
    ['zero channels', wavFile({ channels: 0, blockAlign: 2, data: new Uint8Array(4) })],
    ['a block align that contradicts the format', wavFile({ blockAlign: 4, data: new Uint8Array(8) })],
    [
      'a truncated fmt chunk',
      new Uint8Array([...Buffer.from('RIFF\x14\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00', 'latin1')]),
    ],
  ])('refuses %s with ValidationError', (_label, bytes) => {
    expect(() => parseWav(bytes)).toThrow(ValidationError);
  });

  it('never throws anything but ValidationError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (random, withHeader) => {
        const bytes = withHeader
          ? new Uint8Array([...Buffer.from('RIFF\x00\x00\x00\x00WAVE', 'latin1'), ...random])
          : random;
        try {
          parseWav(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
      }),
    );
  });

  it('reads a view into a larger buffer at its own offset', () => {
    const file = encodeWav(Int16Array.from([3, 4]), 8000);
    const padded = new Uint8Array(file.length + 7);
    padded.set(file, 7);
    expect(parseWav(padded.subarray(7)).samples).toEqual(Int16Array.from([3, 4]));
  });
});

describe('wavFromPcm', () => {
  it('wraps little-endian 16-bit bytes so parseWav reads the same samples back', () => {
    const wav = wavFromPcm(le16(0, 1, -1, 32767, -32768), 8000);
    expect(parseWav(wav)).toEqual({
      sampleRate: 8000,
      channels: 1,
      bitsPerSample: 16,
      samples: Int16Array.of(0, 1, -1, 32767, -32768),
    });
  });
});

describe('pcmOf', () => {
  it('passes raw PCM through and refuses an odd number of bytes, naming the adapter', () => {
    const data = le16(5, -5);
    expect(pcmOf({ format: 'pcm', data, sampleRate: 16_000 }, 'polly')).toEqual({ data, sampleRate: 16_000 });
    expect(() => pcmOf({ format: 'pcm', data: new Uint8Array(3), sampleRate: 16_000 }, 'polly')).toThrow(/^polly: /);
  });

  it('averages a stereo WAV down to mono little-endian PCM', () => {
    const wav = wavFile({ channels: 2, sampleRate: 22_050, data: le16(100, 300, -100, -300) });
    expect(pcmOf({ format: 'wav', data: wav, sampleRate: 0 }, 'lex')).toEqual({
      data: le16(200, -200),
      sampleRate: 22_050,
    });
  });

  it('refuses WAV that is not 16-bit integer PCM rather than converting it, naming the adapter', () => {
    const eightBit = wavFile({ bits: 8, data: Uint8Array.of(128, 255) });
    const error = (() => {
      try {
        pcmOf({ format: 'wav', data: eightBit, sampleRate: 0 }, 'transcribe');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/^transcribe: unsupported encoding/);
  });
});
