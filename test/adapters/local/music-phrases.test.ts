import { describe, expect, it } from 'vitest';
import { musicPhrases } from '../../../adapters/local/music-phrases.js';

const phrases = (text: string) => musicPhrases(text, []).map(({ entity, value, start }) => [entity, value, start]);

describe('musicPhrases', () => {
  it('reads titles and artists from the shape of the request', () => {
    expect(phrases('play Blue Night by Ella Moon')).toEqual([
      ['title', 'Blue Night', 5],
      ['artist', 'Ella Moon', 19],
    ]);
    expect(phrases('something by Adele please')).toEqual([['artist', 'Adele', 13]]);
    expect(phrases('play the song Yesterday')).toEqual([['title', 'Yesterday', 14]]);
    expect(phrases('put on Queen')).toEqual([['artist', 'Queen', 7]]);
    expect(phrases('play some Ólafur Arnalds')).toEqual([['artist', 'Ólafur Arnalds', 10]]);
    expect(phrases('play some jazz')).toEqual([]);
  });

  it('answers the same however calls interleave: its patterns, compiled once, keep no state between calls', () => {
    const texts = ['play Blue Night by Ella Moon', 'put on Queen', 'by Adele', 'play the song Yesterday', 'hello'];
    const first = texts.map(phrases);
    for (let round = 0; round < 3; round += 1) {
      expect(texts.map(phrases)).toEqual(first);
      expect([...texts].reverse().map(phrases)).toEqual([...first].reverse());
    }
  });
});
