// The utterance as the HTTP voice transport uploads it: the microphone's 16 kHz PCM16 frames in one WAV file.

/** A WAV file (RIFF, PCM, 16-bit, mono) holding `frames` of little-endian 16-bit samples back to back. */
export function encodeWav(frames: readonly ArrayBuffer[], sampleRate: number): Uint8Array {
  const dataBytes = frames.reduce((n, frame) => n + frame.byteLength - (frame.byteLength % 2), 0);
  const wav = new Uint8Array(44 + dataBytes);
  const view = new DataView(wav.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) wav[at + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  let at = 44;
  for (const frame of frames) {
    const bytes = new Uint8Array(frame, 0, frame.byteLength - (frame.byteLength % 2));
    wav.set(bytes, at);
    at += bytes.length;
  }
  return wav;
}

/** The 16-bit samples of a PCM WAV file (its `data` chunk) and its rate; undefined for anything else. */
export function wavSamples(bytes: Uint8Array): { pcm: ArrayBuffer; sampleRate: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return undefined;
  let sampleRate = 0;
  let bits = 0;
  for (let at = 12; at + 8 <= bytes.length;) {
    const size = view.getUint32(at + 4, true);
    if (tag(at) === 'fmt ' && size >= 16) {
      sampleRate = view.getUint32(at + 12, true);
      bits = view.getUint16(at + 22, true);
    } else if (tag(at) === 'data') {
      if (bits !== 16 || sampleRate === 0) return undefined;
      const end = Math.min(bytes.length, at + 8 + size);
      const pcm = new Uint8Array(end - at - 8 - ((end - at - 8) % 2));
      pcm.set(bytes.subarray(at + 8, at + 8 + pcm.length));
      return { pcm: pcm.buffer, sampleRate };
    }
    at += 8 + size + (size % 2);
  }
  return undefined;
}

/** Standard base64 of `bytes`, in chunks: one String.fromCharCode call over a whole clip overflows the stack. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}

/** The bytes of standard base64 text. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
