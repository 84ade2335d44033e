import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../core/errors.js';
import type { MusicCatalog } from '../../core/ports/music-catalog.js';
import type { Track } from '../../core/model/music.js';
import { managedFactory } from './harness.js';

export interface MusicCatalogHarness {
  /** A catalog with at least two tracks. */
  catalog: MusicCatalog;
  dispose?: () => Promise<void>;
}

const ids = (tracks: Track[]) => tracks.map((track) => track.id);

const aborted = () => AbortSignal.abort(new Error('caller gave up'));
const isAborted = { code: ErrorCodes.ABORTED };

/** The behaviour every MusicCatalog adapter owes the music skill and the NLU's entity dictionaries. */
export function describeMusicCatalogContract(name: string, make: () => Promise<MusicCatalogHarness>): void {
  describe(`MusicCatalog contract: ${name}`, () => {
    const setup = managedFactory(make);

    it('lists tracks with the fields a player needs', async () => {
      const { catalog } = await setup();
      const tracks = await catalog.search({ limit: 1000 });

      expect(tracks.length).toBeGreaterThanOrEqual(2);
      expect(new Set(ids(tracks)).size).toBe(tracks.length);
      for (const track of tracks) {
        expect(track.id.length).toBeGreaterThan(0);
        expect(track.title.trim().length).toBeGreaterThan(0);
        expect(track.artist.trim().length).toBeGreaterThan(0);
        expect(track.genre.trim().length).toBeGreaterThan(0);
        expect(track.durationSeconds).toBeGreaterThanOrEqual(0);
        expect(track.streamUrl.length).toBeGreaterThan(0);
      }
    });

    it('searches by genre, case-insensitively', async () => {
      const { catalog } = await setup();
      const genre = (await catalog.facets()).genres[0] as string;

      const tracks = await catalog.search({ genre: genre.toUpperCase(), limit: 100 });

      expect(tracks.length).toBeGreaterThan(0);
      expect(tracks.every((track) => track.genre.toLowerCase().includes(genre.toLowerCase()))).toBe(true);
      expect(ids(await catalog.search({ genre: genre.toLowerCase(), limit: 100 }))).toEqual(ids(tracks));
    });

    it('searches by artist and by title', async () => {
      const { catalog } = await setup();
      const facets = await catalog.facets();
      const artist = facets.artists[0] as string;
      const title = facets.titles.at(-1) as string;

      const byArtist = await catalog.search({ artist, limit: 100 });
      const byTitle = await catalog.search({ title, limit: 100 });

      expect(byArtist.length).toBeGreaterThan(0);
      expect(byArtist.every((track) => track.artist.toLowerCase().includes(artist.toLowerCase()))).toBe(true);
      expect(byTitle[0]?.title).toBe(title);
    });

    it('ANDs the filters it is given', async () => {
      const { catalog } = await setup();
      const [first] = await catalog.search({ limit: 1 });
      if (!first) throw new Error('empty catalog');

      const both = await catalog.search({ genre: first.genre, artist: first.artist, limit: 100 });
      const contradictory = await catalog.search({ genre: first.genre, title: 'zz no such title zz', limit: 100 });

      expect(ids(both)).toContain(first.id);
      expect(
        both.every(
          (t) =>
            t.genre.toLowerCase().includes(first.genre.toLowerCase()) &&
            t.artist.toLowerCase().includes(first.artist.toLowerCase()),
        ),
      ).toBe(true);
      expect(contradictory).toEqual([]);
    });

    it('matches free text against titles, ranking the exact title first', async () => {
      const { catalog } = await setup();
      const title = (await catalog.facets()).titles[1] as string;

      const tracks = await catalog.search({ text: title.toLowerCase(), limit: 5 });

      expect(tracks[0]?.title).toBe(title);
      await expect(catalog.search({ text: 'zzqx nothing like this zzqx', limit: 5 })).resolves.toEqual([]);
    });

    it('honours the limit and answers the same query in the same order', async () => {
      const { catalog } = await setup();
      const one = await catalog.search({ limit: 1 });
      const all = await catalog.search({ limit: 1000 });

      expect(one).toHaveLength(1);
      expect(all.length).toBeGreaterThan(1);
      await expect(catalog.search({ limit: 0 })).resolves.toEqual([]);
      expect(ids(await catalog.search({ limit: 1000 }))).toEqual(ids(all));
    });

    it('gets a track by id and answers undefined for an unknown id', async () => {
      const { catalog } = await setup();
      const [track] = await catalog.search({ limit: 1 });
      if (!track) throw new Error('empty catalog');

      await expect(catalog.get({ trackId: track.id })).resolves.toEqual(track);
      await expect(catalog.get({ trackId: 'no-such-track-id' })).resolves.toBeUndefined();
    });

    it('has facets without duplicates, each of which finds tracks', async () => {
      const { catalog } = await setup();
      const facets = await catalog.facets();
      const all = await catalog.search({ limit: 1000 });

      for (const values of [facets.genres, facets.artists, facets.titles])
        expect(new Set(values).size).toBe(values.length);
      expect(new Set(facets.genres)).toEqual(new Set(all.map((t) => t.genre)));
      expect(new Set(facets.artists)).toEqual(new Set(all.map((t) => t.artist)));
      expect(new Set(facets.titles)).toEqual(new Set(all.map((t) => t.title)));
      for (const genre of facets.genres) expect(await catalog.search({ genre, limit: 1 }), genre).toHaveLength(1);
      for (const artist of facets.artists) expect(await catalog.search({ artist, limit: 1 }), artist).toHaveLength(1);
      for (const title of facets.titles)
        expect((await catalog.search({ title, limit: 1 }))[0]?.title, title).toBe(title);
    });

    it('rejects every call with ABORTED when the signal has already fired', async () => {
      const { catalog } = await setup();
      const [first] = await catalog.search({ limit: 1 });
      await expect(catalog.search({ limit: 10, signal: aborted() })).rejects.toMatchObject(isAborted);
      await expect(catalog.get({ trackId: first!.id, signal: aborted() })).rejects.toMatchObject(isAborted);
      await expect(catalog.facets({ signal: aborted() })).rejects.toMatchObject(isAborted);
    });
  });
}
