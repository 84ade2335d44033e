// A small Ogg demuxer for Opus (RFC 7845): pages → packets of the first logical stream, the OpusHead it starts with,
// and the audio packets after OpusTags. Decoding the packets is opus.ts's job.
import { AudioInputError } from './audio-input-error.js';

export interface OpusStream {
  channels: number;
  /** Samples at 48 kHz to drop from the start (encoder delay). */
  preSkip: number;
  packets: Uint8Array[];
}

const CAPTURE = [0x4f, 0x67, 0x67, 0x53]; // "OggS"
const PAGE_HEADER = 27;

/** Whether `bytes` start like an Ogg stream. */
export function looksLikeOgg(bytes: Uint8Array): boolean {
  return CAPTURE.every((byte, i) => bytes[i] === byte);
}

export function demuxOggOpus(bytes: Uint8Array): OpusStream {
  if (!looksLikeOgg(bytes)) throw new AudioInputError('corrupt', 'the audio is not an Ogg stream (no OggS page)');
  const packets: Uint8Array[] = [];
  let serial: number | undefined;
  let pending: Uint8Array[] = [];
  let offset = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (offset < bytes.length) {
    if (offset + PAGE_HEADER > bytes.length || !CAPTURE.every((byte, i) => bytes[offset + i] === byte)) {
      throw new AudioInputError('corrupt', `the Ogg stream is damaged at byte ${offset} (no page starts there)`);
    }
    const pageSerial = view.getUint32(offset + 14, true);
    const segments = bytes[offset + 26] as number;
    const table = offset + PAGE_HEADER;
    let body = table + segments;
    if (body > bytes.length) throw new AudioInputError('corrupt', 'the Ogg stream is truncated (page header)');
    serial ??= pageSerial;
    for (let s = 0; s < segments; s += 1) {
      const length = bytes[table + s] as number;
      if (body + length > bytes.length) throw new AudioInputError('corrupt', 'the Ogg stream is truncated (page body)');
      if (pageSerial === serial) {
        pending.push(bytes.subarray(body, body + length));
        if (length < 255) {
          packets.push(concat(pending));
          pending = [];
        }
      }
      body += length;
    }
    offset = body;
  }
  return opusStreamOf(packets);
}

/** Reads OpusHead (first packet) and drops OpusTags; what remains is audio. */
function opusStreamOf(packets: Uint8Array[]): OpusStream {
  const head = packets[0];
  if (!head || !startsWith(head, 'OpusHead')) {
    throw new AudioInputError('unsupported', 'the Ogg stream does not carry Opus (the only Ogg codec accepted)');
  }
  const { channels, preSkip } = parseOpusHead(head);
  const audio = packets.slice(1).filter((packet) => !startsWith(packet, 'OpusTags'));
  return { channels, preSkip, packets: audio };
}

/** OpusHead: magic, version, channel count, pre-skip (RFC 7845 §5.1). */
export function parseOpusHead(head: Uint8Array): { channels: number; preSkip: number } {
  if (head.length < 19 || !startsWith(head, 'OpusHead'))
    throw new AudioInputError('corrupt', 'the OpusHead is invalid');
  const channels = head[9] as number;
  const preSkip = (head[10] as number) | ((head[11] as number) << 8);
  if (channels < 1 || channels > 2) {
    throw new AudioInputError('unsupported', `Opus with ${channels} channels is not accepted (mono or stereo only)`);
  }
  return { channels, preSkip };
}

export function startsWith(bytes: Uint8Array, ascii: string): boolean {
  if (bytes.length < ascii.length) return false;
  for (let i = 0; i < ascii.length; i += 1) if (bytes[i] !== ascii.charCodeAt(i)) return false;
  return true;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
