import { describe, expect, it } from 'vitest';
import type { Track } from '../../core/model/music.js';
import type { SkillContext, SkillResult } from '../../core/model/skill.js';
import { MusicSkill } from '../../core/skills/music/music-skill.js';
import { readPlayback, type PlaybackState } from '../../core/skills/music/playback-state.js';
import { ArrayMusicCatalog, SAMPLE_TRACKS } from '../doubles/array-music-catalog.js';
import { FixedClock } from '../doubles/fixed-clock.js';
import { COMMON_GENRES } from '../../core/skills/music/genres.js';

const [blueNight, slowSwing, loudRoad] = SAMPLE_TRACKS as [Track, Track, Track];

function context(intent: string, overrides: Partial<SkillContext> = {}): SkillContext {
  return {
    intent,
    slots: {},
    text: '',
    userId: 'u1',
    conversationId: 'c1',
    now: new FixedClock().now(),
    state: {},
    preferences: { language: 'en-US', units: 'metric', timeZone: 'UTC' },
    ...overrides,
  };
}

const playing = (queue: Track[], index = 0, status: PlaybackState['status'] = 'playing'): Record<string, unknown> => ({
  queue,
  index,
  status,
});
const playbackOf = (result: SkillResult) =>
  (result.data as { playback: Record<string, unknown> } | undefined)?.playback;

describe('MusicSkill', () => {
  const skill = new MusicSkill(new ArrayMusicCatalog());

  it('trains the NLU with the catalog genres, artists and titles, and genres people ask for that it lacks', async () => {
    await expect(skill.entityValues()).resolves.toEqual({
      genre: [...new Set(['jazz', 'rock', ...COMMON_GENRES])],
      artist: ['Ella Moon', 'The Rivets'],
      title: ['Blue Night', 'Slow Swing', 'Loud Road'],
    });
  });

  describe('play', () => {
    it('queues what matches the slots and plays the first, saying how many follow', async () => {
      const result = await skill.handle(context('music.play', { slots: { genre: 'jazz' } }));
      expect(result.text).toBe('Playing Blue Night by Ella Moon, then 1 more.');
      expect(result.state).toEqual({ queue: [blueNight, slowSwing], index: 0, status: 'playing' });
      expect(playbackOf(result)).toEqual({ status: 'playing', track: blueNight, position: 0, queueLength: 2 });
    });

    it('says nothing follows a single match, and combines artist and title', async () => {
      const result = await skill.handle(context('music.play', { slots: { artist: 'ella', title: 'slow' } }));
      expect(result.text).toBe('Playing Slow Swing by Ella Moon.');
      expect(result.state).toMatchObject({ queue: [slowSwing] });
    });

    it('searches the words of the request when no slot was understood', async () => {
      const result = await skill.handle(context('music.play', { text: 'please play some music by the Rivets please' }));
      expect(result.text).toBe('Playing Loud Road by The Rivets.');
    });

    it('plays the whole catalog for a bare "play music"', async () => {
      const result = await skill.handle(context('music.play', { text: 'play music' }));
      expect(result.state).toMatchObject({ queue: SAMPLE_TRACKS, index: 0 });
    });

    it('queues at most 20 tracks', async () => {
      const many = Array.from({ length: 25 }, (_, i) => ({ ...blueNight, id: `t${i}`, title: `Song ${i}` }));
      const result = await new MusicSkill(new ArrayMusicCatalog(many)).handle(
        context('music.play', { slots: { genre: 'jazz' } }),
      );
      expect((result.state as { queue: Track[] }).queue).toHaveLength(20);
      expect(result.text).toBe('Playing Song 0 by Ella Moon, then 19 more.');
    });

    it('shuffles the queue when asked to, the same way for the same turn', async () => {
      const many = Array.from({ length: 12 }, (_, i) => ({ ...blueNight, id: `t${i}`, title: `Song ${i}` }));
      const shuffle = new MusicSkill(new ArrayMusicCatalog(many));
      const turn = context('music.play', { text: 'shuffle my music' });
      const first = (await shuffle.handle(turn)).state as { queue: Track[] };
      const again = (await shuffle.handle(turn)).state as { queue: Track[] };
      expect(first.queue.map((t) => t.id)).not.toEqual(many.map((t) => t.id));
      expect(first.queue.map((t) => t.id).sort()).toEqual(many.map((t) => t.id).sort());
      expect(again.queue).toEqual(first.queue);
    });

    it('says what it could not find and offers what the catalog holds, leaving the playback state alone', async () => {
      const result = await skill.handle(
        context('music.play', { slots: { genre: 'polka' }, state: playing([loudRoad]) }),
      );
      expect(result).toEqual({ text: "I couldn't find any music for polka. I have jazz and rock." });
      const empty = await new MusicSkill(new ArrayMusicCatalog([])).handle(context('music.play', { text: 'play' }));
      expect(empty).toEqual({ text: "I couldn't find any music for that. The music library is empty." });
    });
  });

  describe('search', () => {
    it('lists up to five matches without touching playback', async () => {
      const result = await skill.handle(context('music.search', { slots: { artist: 'Ella Moon' } }));
      expect(result).toEqual({
        text: 'I found Blue Night by Ella Moon; Slow Swing by Ella Moon.',
        data: { results: [blueNight, slowSwing] },
      });
      const many = Array.from({ length: 8 }, (_, i) => ({ ...loudRoad, id: `r${i}` }));
      const five = await new MusicSkill(new ArrayMusicCatalog(many)).handle(
        context('music.search', { slots: { genre: 'rock' } }),
      );
      expect((five.data as { results: Track[] }).results).toHaveLength(5);
    });

    it('says when it found nothing', async () => {
      const result = await skill.handle(context('music.search', { text: 'find songs by Nobody' }));
      expect(result).toEqual({ text: 'I found nothing for Nobody. I have jazz and rock.' });
    });
  });

  describe('playback control', () => {
    const queue = [blueNight, slowSwing];

    it('pauses what is playing', async () => {
      const result = await skill.handle(context('music.pause', { state: playing(queue, 1) }));
      expect(result.text).toBe('Paused Slow Swing by Ella Moon.');
      expect(result.state).toEqual({ queue, index: 1, status: 'paused' });
      expect(playbackOf(result)).toMatchObject({ status: 'paused', track: slowSwing, position: 1 });
    });

    it('resumes what is paused', async () => {
      const result = await skill.handle(context('music.resume', { state: playing(queue, 0, 'paused') }));
      expect(result.text).toBe('Resuming Blue Night by Ella Moon.');
      expect(result.state).toEqual({ queue, index: 0, status: 'playing' });
    });

    it('stops, even what was already stopped', async () => {
      const result = await skill.handle(context('music.stop', { state: playing(queue) }));
      expect(result).toMatchObject({ text: 'Stopped the music.', state: { queue, index: 0, status: 'stopped' } });
      const again = await skill.handle(context('music.stop', { state: playing(queue, 0, 'stopped') }));
      expect(again.text).toBe('Stopped the music.');
    });

    it.each(['music.pause', 'music.resume', 'music.next', 'music.now_playing'])(
      'answers %s with "nothing is playing" when the queue is stopped or empty, changing nothing',
      async (intent) => {
        for (const state of [{}, playing(queue, 0, 'stopped'), playing([])]) {
          expect(await skill.handle(context(intent, { state }))).toEqual({ text: 'Nothing is playing right now.' });
        }
      },
    );

    it('stop with an empty queue says nothing is playing', async () => {
      expect(await skill.handle(context('music.stop'))).toEqual({ text: 'Nothing is playing right now.' });
    });

    it('moves to the next track and plays it, even from paused', async () => {
      const result = await skill.handle(context('music.next', { state: playing(queue, 0, 'paused') }));
      expect(result.text).toBe('Next up: Slow Swing by Ella Moon.');
      expect(result.state).toEqual({ queue, index: 1, status: 'playing' });
    });

    it('stops after the last track of the queue', async () => {
      const result = await skill.handle(context('music.next', { state: playing(queue, 1) }));
      expect(result.text).toBe('That was the last track in the queue.');
      expect(result.state).toEqual({ queue, index: 1, status: 'stopped' });
    });

    it('says what is playing, and whether it is paused', async () => {
      const now = await skill.handle(context('music.now_playing', { state: playing(queue, 1) }));
      expect(now).toEqual({
        text: 'This is Slow Swing by Ella Moon.',
        data: { playback: { status: 'playing', track: slowSwing, position: 1, queueLength: 2 } },
      });
      const paused = await skill.handle(context('music.now_playing', { state: playing(queue, 0, 'paused') }));
      expect(paused.text).toBe('This is Blue Night by Ella Moon (paused).');
    });

    it('answers an intent it does not know with what is playing', async () => {
      expect((await skill.handle(context('music.shuffle', { state: playing(queue) }))).text).toBe(
        'This is Blue Night by Ella Moon.',
      );
    });
  });

  describe('stored playback state', () => {
    it('reads a well-formed state as it is', () => {
      expect(readPlayback(playing([blueNight, slowSwing], 1, 'paused'))).toEqual({
        queue: [blueNight, slowSwing],
        index: 1,
        status: 'paused',
      });
    });

    it('repairs what it cannot trust: a missing queue, an index out of range, an unknown status', () => {
      expect(readPlayback({})).toEqual({ queue: [], index: 0, status: 'stopped' });
      expect(readPlayback({ queue: 'nope', index: 0, status: 'playing' })).toEqual({
        queue: [],
        index: 0,
        status: 'stopped',
      });
      expect(readPlayback(playing([blueNight], 3))).toEqual({ queue: [blueNight], index: 0, status: 'playing' });
      expect(readPlayback(playing([blueNight], -1))).toMatchObject({ index: 0 });
      expect(readPlayback({ queue: [blueNight], index: 0, status: 'rewinding' })).toMatchObject({ status: 'stopped' });
    });
  });
});
