import type { IoOptions } from '../../model/io.js';
import type { MusicCatalog } from '../../ports/music-catalog.js';
import type { Track } from '../../model/music.js';
import type { IntentDefinition, SkillContext, SkillResult } from '../../model/skill.js';
import type { Skill } from '../../ports/skill.js';
import { COMMON_GENRES } from './genres.js';
import { current, readPlayback, type PlaybackState } from './playback-state.js';

const QUEUE_LENGTH = 20;

/** Search the catalog and control playback; the queue lives in the conversation's state. */
export class MusicSkill implements Skill {
  readonly name = 'music';
  readonly description = 'playing music by title, artist or genre';
  readonly intents: readonly IntentDefinition[] = [
    {
      name: 'music.play',
      utterances: [
        'play some {genre}',
        'play {genre} music',
        'put on some {genre}',
        'play something by {artist}',
        'play {artist}',
        'play songs by {artist}',
        'play {title}',
        'play the song {title}',
        'play {title} by {artist}',
        'play music',
        'play some music',
        'I want to listen to {genre}',
        'I want to hear {artist}',
      ],
      slots: [
        { name: 'genre', entity: 'genre' },
        { name: 'artist', entity: 'artist' },
        { name: 'title', entity: 'title' },
      ],
    },
    { name: 'music.pause', utterances: ['pause', 'pause the music', 'pause playback', 'hold the music'] },
    { name: 'music.resume', utterances: ['resume', 'resume the music', 'continue playing', 'unpause', 'keep playing'] },
    { name: 'music.next', utterances: ['next', 'next song', 'skip', 'skip this song', 'play the next track'] },
    { name: 'music.stop', utterances: ['stop the music', 'stop playing', 'stop playback', 'turn off the music'] },
    {
      name: 'music.now_playing',
      utterances: [
        "what's playing",
        'what is playing',
        'what song is this',
        'who is singing',
        'what am I listening to',
        'which track is this',
      ],
    },
    {
      name: 'music.search',
      utterances: [
        'find songs by {artist}',
        'search for {genre} music',
        'what {genre} songs do you have',
        'look up {title}',
        'which songs do you have by {artist}',
      ],
      slots: [
        { name: 'genre', entity: 'genre' },
        { name: 'artist', entity: 'artist' },
        { name: 'title', entity: 'title' },
      ],
    },
  ];

  constructor(private readonly catalog: MusicCatalog) {}

  async entityValues(options: IoOptions = {}) {
    const facets = await this.catalog.facets(options);
    return { genre: [...new Set([...facets.genres, ...COMMON_GENRES])], artist: facets.artists, title: facets.titles };
  }

  async handle(context: SkillContext): Promise<SkillResult> {
    const playback = readPlayback(context.state);
    switch (context.intent) {
      case 'music.play':
        return this.play(context);
      case 'music.search':
        return this.search(context);
      case 'music.pause':
        return this.transition(playback, 'paused', (track) => `Paused ${describe(track)}.`);
      case 'music.resume':
        return this.transition(playback, 'playing', (track) => `Resuming ${describe(track)}.`);
      case 'music.stop':
        return this.transition(playback, 'stopped', () => 'Stopped the music.');
      case 'music.next':
        return this.next(playback);
      default:
        return this.nowPlaying(playback);
    }
  }

  private async play(context: SkillContext): Promise<SkillResult> {
    const tracks = await this.catalog.search({ ...queryOf(context), limit: QUEUE_LENGTH, signal: context.signal });
    if (tracks.length === 0)
      return { text: `I couldn't find any music for ${describeQuery(context) || 'that'}.${await this.offer(context)}` };
    const queue = /\bshuffle\b/i.test(context.text)
      ? shuffled(tracks, `${context.conversationId}:${context.now.getTime()}`)
      : tracks;
    const state: PlaybackState = { queue, index: 0, status: 'playing' };
    const first = queue[0] as Track;
    const more = tracks.length > 1 ? `, then ${tracks.length - 1} more` : '';
    return { text: `Playing ${describe(first)}${more}.`, state: { ...state }, data: playbackData(state) };
  }

  private async search(context: SkillContext): Promise<SkillResult> {
    const tracks = await this.catalog.search({ ...queryOf(context), limit: 5, signal: context.signal });
    if (tracks.length === 0)
      return { text: `I found nothing for ${describeQuery(context) || 'that'}.${await this.offer(context)}` };
    return { text: `I found ${tracks.map(describe).join('; ')}.`, data: { results: tracks } };
  }

  /** What the catalog does hold, offered when a request finds nothing in it. */
  private async offer(context: SkillContext): Promise<string> {
    const { genres, artists } = await this.catalog.facets(context.signal ? { signal: context.signal } : {});
    if (genres.length > 0) return ` I have ${listed(genres)}.`;
    if (artists.length > 0) return ` I have music by ${listed(artists)}.`;
    return ' The music library is empty.';
  }

  private transition(
    playback: PlaybackState,
    status: PlaybackState['status'],
    say: (track: Track) => string,
  ): SkillResult {
    const track = current(playback);
    if (!track || (playback.status === 'stopped' && status !== 'stopped'))
      return { text: 'Nothing is playing right now.' };
    const state = { ...playback, status };
    return { text: say(track), state: { ...state }, data: playbackData(state) };
  }

  private next(playback: PlaybackState): SkillResult {
    if (playback.queue.length === 0 || playback.status === 'stopped') return { text: 'Nothing is playing right now.' };
    if (playback.index + 1 >= playback.queue.length) {
      const state = { ...playback, status: 'stopped' as const };
      return { text: 'That was the last track in the queue.', state: { ...state }, data: playbackData(state) };
    }
    const state: PlaybackState = { ...playback, index: playback.index + 1, status: 'playing' };
    return { text: `Next up: ${describe(current(state) as Track)}.`, state: { ...state }, data: playbackData(state) };
  }

  private nowPlaying(playback: PlaybackState): SkillResult {
    const track = current(playback);
    if (!track || playback.status === 'stopped') return { text: 'Nothing is playing right now.' };
    const paused = playback.status === 'paused' ? ' (paused)' : '';
    return { text: `This is ${describe(track)}${paused}.`, data: playbackData(playback) };
  }
}

function queryOf(context: SkillContext) {
  const { genre, artist, title } = context.slots;
  const query = {
    ...(genre !== undefined && { genre: String(genre) }),
    ...(artist !== undefined && { artist: String(artist) }),
    ...(title !== undefined && { title: String(title) }),
  };
  if (Object.keys(query).length > 0) return query;
  const free = context.text
    .replace(/^.*?\b(play|put on|listen to|hear|find|search for|look up|shuffle)\b/i, '')
    .replace(/\b(some|music|songs?|by|the|please|my)\b/gi, ' ')
    .trim();
  return free ? { text: free } : {};
}

function describeQuery(context: SkillContext): string {
  return Object.values(queryOf(context)).join(' ');
}

/** A permutation seeded from the conversation and the time, so a replayed turn shuffles the same way. */
function shuffled<T>(items: readonly T[], seed: string): T[] {
  let state = [...seed].reduce((hash, ch) => (Math.imul(hash, 31) + ch.charCodeAt(0)) >>> 0, 2166136261);
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function listed(items: readonly string[]): string {
  const some = items.slice(0, 6);
  return some.length < 2 ? (some[0] ?? '') : `${some.slice(0, -1).join(', ')} and ${some.at(-1) ?? ''}`;
}

function describe(track: Track): string {
  return `${track.title} by ${track.artist}`;
}

function playbackData(state: PlaybackState): Record<string, unknown> {
  return {
    playback: { status: state.status, track: current(state), position: state.index, queueLength: state.queue.length },
  };
}
