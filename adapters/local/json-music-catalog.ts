import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join, sep } from 'node:path';
import { ValidationError, throwIfAborted } from '../../core/errors.js';
import type { IoOptions } from '../../core/model/io.js';
import type { MusicCatalog } from '../../core/ports/music-catalog.js';
import type { Track, TrackQuery } from '../../core/model/music.js';

const AUDIO_EXTENSIONS = new Set(['.mp3', '.m4a', '.aac', '.flac', '.ogg', '.oga', '.opus', '.wav', '.aif', '.aiff']);
const REQUIRED_TEXT = ['id', 'title', 'artist', 'genre', 'streamUrl'] as const;
const OPTIONAL_TEXT = ['album', 'license'] as const;

const EXACT = 3;
const PREFIX = 2;
const SUBSTRING = 1;

/** An in-memory catalog loaded from a JSON file or from the tags of a directory of audio files. */
export class JsonMusicCatalog implements MusicCatalog {
  private readonly tracks: readonly Track[];
  private readonly byId: ReadonlyMap<string, Track>;

  constructor(tracks: Track[]) {
    const byId = new Map<string, Track>();
    tracks.forEach((track, index) => {
      if (byId.has(track.id))
        throw new ValidationError(`music catalog entry ${index}: field "id" repeats "${track.id}"`);
      byId.set(track.id, track);
    });
    this.tracks = [...tracks];
    this.byId = byId;
  }

  /** Reads `{ "tracks": [...] }`; a bad entry rejects the whole file, naming the entry's index and field. */
  static async fromFile(path: string): Promise<JsonMusicCatalog> {
    let document: unknown;
    try {
      document = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new ValidationError(`music catalog ${path}: not a readable JSON file`, { cause: error });
    }
    const entries = (document as { tracks?: unknown } | null)?.tracks;
    if (!Array.isArray(entries))
      throw new ValidationError(`music catalog ${path}: expected an object with a "tracks" array`);
    return new JsonMusicCatalog(entries.map((entry, index) => validTrack(entry, index, path)));
  }

  /** Walks `dir` for audio files and reads their tags; a file without tags is named after itself. */
  static async fromDirectory(dir: string, options: { baseUrl: string }): Promise<JsonMusicCatalog> {
    const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    const files = (await readdir(dir, { recursive: true }))
      .filter((relative) => AUDIO_EXTENSIONS.has(extname(relative).toLowerCase()))
      .sort();
    // Only a folder of audio needs the tag reader; a JSON catalog (and a Lambda cold start) never loads it.
    const { parseFile } = await import('music-metadata');
    const tracks: Track[] = [];
    for (const relative of files) {
      const common = await parseFile(join(dir, relative), { skipCovers: true }).then(
        (metadata) => ({ ...metadata.common, duration: metadata.format.duration }),
        () => undefined,
      );
      const urlPath = relative.split(sep).map(encodeURIComponent).join('/');
      tracks.push({
        id: `file-${createHash('sha256').update(relative).digest('hex').slice(0, 16)}`,
        title: common?.title?.trim() || basename(relative, extname(relative)),
        artist: common?.artist?.trim() || common?.artists?.[0]?.trim() || 'Unknown artist',
        genre: common?.genre?.[0]?.trim() || 'unknown',
        durationSeconds: Math.round(common?.duration ?? 0),
        streamUrl: `${base}${urlPath}`,
        ...(common?.album?.trim() && { album: common.album.trim() }),
        ...(common?.license?.trim() && { license: common.license.trim() }),
      });
    }
    return new JsonMusicCatalog(tracks);
  }

  async search(query: TrackQuery & IoOptions): Promise<Track[]> {
    throwIfAborted(query.signal);
    if (query.limit <= 0) return [];
    const words = wordsOf(query.text ?? '');
    const scored: { track: Track; score: number; order: number }[] = [];
    this.tracks.forEach((track, order) => {
      const filters = [
        fieldScore(track.title, query.title),
        fieldScore(track.artist, query.artist),
        fieldScore(track.genre, query.genre),
      ];
      if (filters.some((score) => score === 0)) return;
      const text = textScore(track, words);
      if (text === 0) return;
      scored.push({ track, score: filters.reduce((sum, score) => sum + score, 0) + text, order });
    });
    // Array.prototype.sort is stable, and `order` makes the tie-break explicit: catalog order wins among equals.
    scored.sort((a, b) => b.score - a.score || a.order - b.order);
    return scored.slice(0, query.limit).map((entry) => entry.track);
  }

  async get({ trackId, signal }: { trackId: string } & IoOptions): Promise<Track | undefined> {
    throwIfAborted(signal);
    return this.byId.get(trackId);
  }

  async facets(options: IoOptions = {}): Promise<{ genres: string[]; artists: string[]; titles: string[] }> {
    throwIfAborted(options.signal);
    const unique = (values: string[]) => [...new Set(values)];
    return {
      genres: unique(this.tracks.map((t) => t.genre)),
      artists: unique(this.tracks.map((t) => t.artist)),
      titles: unique(this.tracks.map((t) => t.title)),
    };
  }
}

/** No filter scores neutrally; otherwise exact > prefix > substring, and 0 rules the track out. */
function fieldScore(value: string, wanted: string | undefined): number {
  if (wanted === undefined || wanted.trim() === '') return SUBSTRING;
  return matchScore(value.toLowerCase(), wanted.trim().toLowerCase());
}

function matchScore(value: string, wanted: string): number {
  if (value === wanted) return EXACT;
  if (value.startsWith(wanted)) return PREFIX;
  return value.includes(wanted) ? SUBSTRING : 0;
}

/**
 * Every word of the free text must match some word of the track, each scoring its best match; the whole phrase
 * matching a whole field scores again, so "blue night" puts "Blue Night" before "Night Blue".
 */
function textScore(track: Track, words: string[]): number {
  if (words.length === 0) return SUBSTRING;
  const fields = [track.title, track.artist, track.genre, track.album ?? ''].map((field) => wordsOf(field));
  const vocabulary = fields.flat();
  let total = 0;
  for (const word of words) {
    const best = Math.max(0, ...vocabulary.map((candidate) => matchScore(candidate, word)));
    if (best === 0) return 0;
    total += best;
  }
  const phrase = words.join(' ');
  return total + Math.max(...fields.map((field) => (field.length > 0 ? matchScore(field.join(' '), phrase) : 0)));
}

function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

function validTrack(entry: unknown, index: number, path: string): Track {
  const where = `music catalog ${path}: entry ${index}`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    throw new ValidationError(`${where}: not an object`);
  const record = entry as Record<string, unknown>;
  for (const field of REQUIRED_TEXT) {
    const value = record[field];
    if (typeof value !== 'string' || value.trim() === '')
      throw new ValidationError(`${where}: field "${field}" must be a non-empty string`, { details: { index, field } });
  }
  for (const field of OPTIONAL_TEXT) {
    if (record[field] !== undefined && typeof record[field] !== 'string')
      throw new ValidationError(`${where}: field "${field}" must be a string`, { details: { index, field } });
  }
  const duration = record.durationSeconds;
  if (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0) {
    throw new ValidationError(`${where}: field "durationSeconds" must be a number of seconds, 0 or more`, {
      details: { index, field: 'durationSeconds' },
    });
  }
  return {
    id: record.id as string,
    title: record.title as string,
    artist: record.artist as string,
    genre: record.genre as string,
    durationSeconds: duration,
    streamUrl: record.streamUrl as string,
    ...(typeof record.album === 'string' && { album: record.album }),
    ...(typeof record.license === 'string' && { license: record.license }),
  };
}
