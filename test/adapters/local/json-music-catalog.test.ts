import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonMusicCatalog } from '../../../adapters/local/json-music-catalog.js';
import { ValidationError } from '../../../core/errors.js';
import type { Track } from '../../../core/model/music.js';
import { describeMusicCatalogContract } from '../../contract/music-catalog.contract.js';

const SAMPLE = fileURLToPath(new URL('../../../adapters/local/data/sample-catalog.json', import.meta.url));

/** A valid PCM WAV of silence, with a RIFF LIST/INFO chunk carrying the tags when given. */
function wav(seconds: number, tags?: Record<'INAM' | 'IART' | 'IGNR' | 'IPRD', string>): Buffer {
  const chunk = (id: string, data: Buffer) => {
    const header = Buffer.alloc(8);
    header.write(id, 0, 'ascii');
    header.writeUInt32LE(data.length, 4);
    return Buffer.concat([header, data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  };
  const sampleRate = 8000;
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(1, 0); // PCM
  fmt.writeUInt16LE(1, 2); // mono
  fmt.writeUInt32LE(sampleRate, 4);
  fmt.writeUInt32LE(sampleRate, 8); // bytes per second at 8 bits mono
  fmt.writeUInt16LE(1, 12);
  fmt.writeUInt16LE(8, 14);
  const info = tags
    ? [
        chunk(
          'LIST',
          Buffer.concat([
            Buffer.from('INFO'),
            ...Object.entries(tags).map(([id, text]) => chunk(id, Buffer.from(`${text}\0`, 'utf8'))),
          ]),
        ),
      ]
    : [];
  const body = Buffer.concat([
    Buffer.from('WAVE'),
    chunk('fmt ', fmt),
    ...info,
    chunk('data', Buffer.alloc(sampleRate * seconds, 128)),
  ]);
  return chunk('RIFF', body);
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'music-catalog-'));
  await mkdir(join(dir, 'jazz'));
  await mkdir(join(dir, 'rock'));
  await writeFile(
    join(dir, 'jazz', 'Blue Night.wav'),
    wav(2, { INAM: 'Blue Night', IART: 'Ella Moon', IGNR: 'Jazz', IPRD: 'Late Hours' }),
  );
  await writeFile(
    join(dir, 'jazz', 'slow-swing.wav'),
    wav(3, { INAM: 'Slow Swing', IART: 'Ella Moon', IGNR: 'Jazz', IPRD: 'Late Hours' }),
  );
  await writeFile(
    join(dir, 'rock', 'loud-road.wav'),
    wav(1, { INAM: 'Loud Road', IART: 'The Rivets', IGNR: 'Rock', IPRD: 'Garage' }),
  );
  await writeFile(join(dir, 'untagged take #1.wav'), wav(1));
  await writeFile(join(dir, 'notes.txt'), 'not music');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeMusicCatalogContract('JsonMusicCatalog from the sample catalog file', async () => ({
  catalog: await JsonMusicCatalog.fromFile(SAMPLE),
}));

describeMusicCatalogContract('JsonMusicCatalog from a directory of tagged audio files', async () => ({
  catalog: await JsonMusicCatalog.fromDirectory(dir, { baseUrl: 'http://127.0.0.1:3000/media' }),
}));

describe('JsonMusicCatalog.fromFile', () => {
  async function catalogFile(content: unknown): Promise<string> {
    const path = join(dir, `catalog-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  }
  const good = {
    id: 'a',
    title: 'A',
    artist: 'X',
    genre: 'jazz',
    durationSeconds: 60,
    streamUrl: 'https://example.test/a.mp3',
  };

  it('ships a sample of real, freely licensed tracks with at least three jazz pieces', async () => {
    const catalog = await JsonMusicCatalog.fromFile(SAMPLE);
    const tracks = await catalog.search({ limit: 1000 });

    expect(tracks.length).toBeGreaterThanOrEqual(18);
    expect(await catalog.search({ genre: 'jazz', limit: 100 })).toHaveLength(6);
    expect(tracks.every((t) => /^(CC BY 4\.0|Public domain)/.test(t.license ?? ''))).toBe(true);
    expect(tracks.every((t) => /^https:\/\/(incompetech\.com|commons\.wikimedia\.org)\//.test(t.streamUrl))).toBe(true);
    expect(new Set(tracks.map((t) => t.genre))).toEqual(
      new Set(['jazz', 'blues', 'rock', 'classical', 'ambient', 'electronic']),
    );
  });

  it.each([
    [{ ...good, title: undefined }, 'entry 1: field "title" must be a non-empty string'],
    [{ ...good, genre: '  ' }, 'entry 1: field "genre" must be a non-empty string'],
    [{ ...good, durationSeconds: '60' }, 'entry 1: field "durationSeconds" must be a number of seconds, 0 or more'],
    [{ ...good, durationSeconds: -1 }, 'entry 1: field "durationSeconds"'],
    [{ ...good, album: 7 }, 'entry 1: field "album" must be a string'],
    ['just a string', 'entry 1: not an object'],
  ])('rejects the file for a bad entry, naming its index and field (%#)', async (bad, message) => {
    const path = await catalogFile({ tracks: [good, bad] });

    const loading = JsonMusicCatalog.fromFile(path);

    await expect(loading).rejects.toBeInstanceOf(ValidationError);
    await expect(loading).rejects.toThrow(message);
  });

  it('rejects a repeated id, naming the entry', async () => {
    const path = await catalogFile({ tracks: [good, { ...good, title: 'B' }] });

    await expect(JsonMusicCatalog.fromFile(path)).rejects.toThrow('entry 1: field "id" repeats "a"');
  });

  it('rejects a file that is not JSON or has no tracks array', async () => {
    await expect(JsonMusicCatalog.fromFile(await catalogFile('{ "tracks": ['))).rejects.toBeInstanceOf(ValidationError);
    await expect(JsonMusicCatalog.fromFile(await catalogFile([good]))).rejects.toThrow(
      'expected an object with a "tracks" array',
    );
    await expect(JsonMusicCatalog.fromFile(join(dir, 'missing.json'))).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('JsonMusicCatalog.fromDirectory', () => {
  it('reads title, artist, album, genre and duration from the tags', async () => {
    const catalog = await JsonMusicCatalog.fromDirectory(dir, { baseUrl: 'http://127.0.0.1:3000/media/' });

    const [blueNight] = await catalog.search({ title: 'Blue Night', limit: 1 });

    expect(blueNight).toMatchObject({
      title: 'Blue Night',
      artist: 'Ella Moon',
      album: 'Late Hours',
      genre: 'Jazz',
      durationSeconds: 2,
      streamUrl: 'http://127.0.0.1:3000/media/jazz/Blue%20Night.wav',
    });
    expect(blueNight?.id).toMatch(/^file-[0-9a-f]{16}$/);
  });

  it('names an untagged file after itself, encodes its URL, and skips files that are not audio', async () => {
    const catalog = await JsonMusicCatalog.fromDirectory(dir, { baseUrl: 'http://127.0.0.1:3000/media' });

    const tracks = await catalog.search({ limit: 100 });

    expect(tracks.map((t) => t.title)).toEqual(['Blue Night', 'Slow Swing', 'Loud Road', 'untagged take #1']);
    expect(tracks[3]).toMatchObject({
      artist: 'Unknown artist',
      genre: 'unknown',
      durationSeconds: 1,
      streamUrl: 'http://127.0.0.1:3000/media/untagged%20take%20%231.wav',
    });
  });

  it('gives a file the same id on every load', async () => {
    const first = await (await JsonMusicCatalog.fromDirectory(dir, { baseUrl: 'http://a/' })).search({ limit: 100 });
    const second = await (await JsonMusicCatalog.fromDirectory(dir, { baseUrl: 'http://b/' })).search({ limit: 100 });

    expect(second.map((t) => t.id)).toEqual(first.map((t) => t.id));
  });
});

describe('JsonMusicCatalog.search ranking', () => {
  const track = (id: string, title: string, artist = 'Someone', genre = 'jazz'): Track => ({
    id,
    title,
    artist,
    genre,
    durationSeconds: 100,
    streamUrl: `https://example.test/${id}.mp3`,
  });
  const catalog = new JsonMusicCatalog([
    track('midnight', 'Midnight'),
    track('nightfall', 'Nightfall'),
    track('train', 'Night Train Blues'),
    track('night', 'Night'),
    track('other', 'Morning Song', 'Night Owls', 'rock'),
  ]);
  const titles = async (query: Parameters<JsonMusicCatalog['search']>[0]) =>
    (await catalog.search(query)).map((t) => t.title);

  it('ranks free text exact > prefix > substring, whichever field it matches', async () => {
    await expect(titles({ text: 'NIGHT', limit: 10 })).resolves.toEqual([
      'Night',
      'Night Train Blues',
      'Morning Song',
      'Nightfall',
      'Midnight',
    ]);
  });

  it('requires every word of the free text to match, across title, artist, genre and album', async () => {
    await expect(titles({ text: 'night rock', limit: 10 })).resolves.toEqual(['Morning Song']);
    await expect(titles({ text: 'night train', limit: 10 })).resolves.toEqual(['Night Train Blues']);
    await expect(titles({ text: 'night opera', limit: 10 })).resolves.toEqual([]);
  });

  it('ranks a title filter exact > prefix > substring and keeps catalog order among equals', async () => {
    await expect(titles({ title: 'night', limit: 10 })).resolves.toEqual([
      'Night',
      'Nightfall',
      'Night Train Blues',
      'Midnight',
    ]);
    await expect(titles({ genre: 'JAZZ', limit: 10 })).resolves.toEqual([
      'Midnight',
      'Nightfall',
      'Night Train Blues',
      'Night',
    ]);
  });

  it('ANDs the filters with the free text and cuts at the limit', async () => {
    await expect(titles({ genre: 'jazz', text: 'night', limit: 2 })).resolves.toEqual(['Night', 'Night Train Blues']);
    await expect(titles({ genre: 'rock', title: 'night', limit: 10 })).resolves.toEqual([]);
    await expect(titles({ genre: 'jazz', limit: -1 })).resolves.toEqual([]);
  });

  it('rejects tracks with a repeated id', () => {
    expect(() => new JsonMusicCatalog([track('a', 'One'), track('a', 'Two')])).toThrow(ValidationError);
  });
});
