// A small WebM (Matroska) demuxer for what browsers' MediaRecorder writes (`audio/webm;codecs=opus`): the Opus track's
// CodecPrivate (an OpusHead) and the frames of its SimpleBlocks and Blocks. Elements are walked flat, descending into
// the few master elements that matter, so the unknown-size Segment and Clusters of a live recording need no special case.
import { AudioInputError } from './audio-input-error.js';
import { parseOpusHead, type OpusStream } from './ogg-opus.js';

const ID = {
  ebml: 0x1a45dfa3,
  segment: 0x18538067,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackNumber: 0xd7,
  trackType: 0x83,
  codecId: 0x86,
  codecPrivate: 0x63a2,
  cluster: 0x1f43b675,
  blockGroup: 0xa0,
  block: 0xa1,
  simpleBlock: 0xa3,
} as const;
/** Master elements whose children are read; every other element is skipped whole. */
const DESCEND = new Set<number>([ID.segment, ID.tracks, ID.trackEntry, ID.cluster, ID.blockGroup]);
const AUDIO_TRACK = 2;

export function looksLikeWebm(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3;
}

interface Track {
  number?: number;
  type?: number;
  codec?: string;
  codecPrivate?: Uint8Array;
}

interface Block {
  track: number;
  frame: Uint8Array;
}

export function demuxWebmOpus(bytes: Uint8Array): OpusStream {
  if (!looksLikeWebm(bytes)) throw new AudioInputError('corrupt', 'the audio is not a WebM file (no EBML header)');
  const tracks: Track[] = [];
  const blocks: Block[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const id = readVint(bytes, offset, true);
    if (id?.value === undefined) break; // a recording cut mid-element: keep what came before
    const size = readVint(bytes, offset + id.length, false);
    if (!size) break;
    const body = offset + id.length + size.length;
    const element = id.value;
    if (DESCEND.has(element)) {
      if (element === ID.trackEntry) tracks.push({});
      offset = body;
      continue;
    }
    if (size.value === undefined)
      throw new AudioInputError('corrupt', 'the WebM file has an unknown-size leaf element');
    const end = body + size.value;
    if (end > bytes.length) break;
    const content = bytes.subarray(body, end);
    const track = tracks[tracks.length - 1];
    switch (element) {
      case ID.trackNumber:
        if (track) track.number = readUint(content);
        break;
      case ID.trackType:
        if (track) track.type = readUint(content);
        break;
      case ID.codecId:
        if (track) track.codec = String.fromCharCode(...content);
        break;
      case ID.codecPrivate:
        if (track) track.codecPrivate = content;
        break;
      case ID.simpleBlock:
      case ID.block:
        blocks.push(readBlock(content));
        break;
      default:
    }
    offset = end;
  }
  const audio = tracks.find((track) => track.type === AUDIO_TRACK || track.codec?.startsWith('A_'));
  if (!audio)
    throw new AudioInputError(tracks.length > 0 ? 'unsupported' : 'corrupt', 'the WebM file has no audio track');
  if (audio.codec !== 'A_OPUS') {
    throw new AudioInputError(
      'unsupported',
      `WebM audio in ${audio.codec ?? 'an unnamed codec'} is not accepted; send Opus`,
    );
  }
  const { channels, preSkip } = audio.codecPrivate ? parseOpusHead(audio.codecPrivate) : { channels: 1, preSkip: 0 };
  return { channels, preSkip, packets: blocks.filter((block) => block.track === audio.number).map((b) => b.frame) };
}

/** SimpleBlock/Block: track number (vint), 16-bit relative timecode, flags, then one frame (no lacing from browsers). */
function readBlock(content: Uint8Array): Block {
  const track = readVint(content, 0, false);
  if (!track || track.value === undefined || content.length < track.length + 3) {
    throw new AudioInputError('corrupt', 'the WebM file has a damaged block');
  }
  const flags = content[track.length + 2] as number;
  if ((flags & 0x06) !== 0) throw new AudioInputError('unsupported', 'laced WebM blocks are not accepted');
  return { track: track.value, frame: content.subarray(track.length + 3) };
}

/**
 * An EBML variable-length integer at `at`: IDs keep their length marker, sizes drop it (all ones = unknown, undefined).
 * Undefined when the bytes end first or the first byte is zero.
 */
function readVint(
  bytes: Uint8Array,
  at: number,
  keepMarker: boolean,
): { value: number | undefined; length: number } | undefined {
  const first = bytes[at];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23;
  if (at + length > bytes.length || length > 8) return undefined;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i += 1) {
    const byte = bytes[at + i] as number;
    value = value * 256 + byte;
    allOnes &&= byte === 0xff;
  }
  return { value: !keepMarker && allOnes ? undefined : value, length };
}

function readUint(content: Uint8Array): number {
  let value = 0;
  for (const byte of content) value = value * 256 + byte;
  return value;
}
