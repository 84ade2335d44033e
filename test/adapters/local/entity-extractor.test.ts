import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntityExtractor, type ExtractOptions } from '../../../adapters/local/entity-extractor.js';
import type { Token } from '../../../adapters/local/entity-tokens.js';
import { durationPart, isUnit } from '../../../adapters/local/spoken-numbers.js';

const extractor = new EntityExtractor({
  city: ['Paris', 'New York', 'York', 'Rio de Janeiro', 'Sao Paulo', 'Zurich', 'Nice'],
  genre: ['jazz', 'rock', 'hip hop'],
  artist: ['Ella Moon', 'The Rivets'],
  title: ['Blue Night', 'Loud Road', 'Nice'],
});

const found = (text: string, options?: ExtractOptions) =>
  extractor.extract(text, options).map(({ entity, value, raw }) => [entity, value, raw]);

describe('EntityExtractor: dictionaries', () => {
  it('matches case-insensitively and returns the canonical value with the raw span', () => {
    expect(found('play some JAZZ by ella moon')).toEqual([
      ['genre', 'jazz', 'JAZZ'],
      ['artist', 'Ella Moon', 'ella moon'],
    ]);
  });

  it('matches whole words only', () => {
    expect(found('I love jazzy tunes and rocket launches in Parisian cafes')).toEqual([]);
  });

  it('prefers the longest value where values overlap', () => {
    expect(found('weather in New York')).toEqual([['city', 'New York', 'New York']]);
    expect(found('play hip hop')).toEqual([['genre', 'hip hop', 'hip hop']]);
  });

  it('tolerates accents and extra spaces, and keeps offsets into the original text', () => {
    const matches = extractor.extract('Wetter in  São   Paulo und Zürich');
    expect(matches.map((m) => [m.value, m.raw])).toEqual([
      ['Sao Paulo', 'São   Paulo'],
      ['Zurich', 'Zürich'],
    ]);
    expect(matches.map((m) => 'Wetter in  São   Paulo und Zürich'.slice(m.start, m.end))).toEqual([
      'São   Paulo',
      'Zürich',
    ]);
  });

  it('gives an ambiguous value the type the assistant asked for', () => {
    expect(found('Nice')[0]?.[0]).toBe('city');
    expect(found('Nice', { expecting: 'title' })).toEqual([['title', 'Nice', 'Nice']]);
  });

  it('finds several entities, ordered by position', () => {
    expect(found('Blue Night by Ella Moon, then rock')).toEqual([
      ['title', 'Blue Night', 'Blue Night'],
      ['artist', 'Ella Moon', 'Ella Moon'],
      ['genre', 'rock', 'rock'],
    ]);
  });

  it('treats regex characters in values literally', () => {
    const special = new EntityExtractor({ title: ['What? (Live)', 'A+B'] });
    expect(special.extract('play What? (Live) now').map((m) => m.value)).toEqual(['What? (Live)']);
    expect(special.extract('play AAB').map((m) => m.value)).toEqual([]);
  });
});

describe('EntityExtractor: durations and numbers', () => {
  it.each([
    ['set a timer for ten minutes', 600, 'ten minutes'],
    ['20 seconds please', 20, '20 seconds'],
    ['an hour and a half', 5400, 'an hour and a half'],
    ['1 hour 5 minutes', 3900, '1 hour 5 minutes'],
    ['an hour and 20 minutes', 4800, 'an hour and 20 minutes'],
    ['half an hour', 1800, 'half an hour'],
    ['two and a half hours', 9000, 'two and a half hours'],
    ['a couple of minutes', 120, 'a couple of minutes'],
    ['twenty-five seconds', 25, 'twenty-five seconds'],
    ['1.5 hours', 5400, '1.5 hours'],
    ['a quarter of an hour', 900, 'a quarter of an hour'],
    ['5 mins', 300, '5 mins'],
  ])('reads "%s" as %i seconds', (text, seconds, raw) => {
    expect(found(text)).toEqual([['duration', seconds, raw]]);
  });

  it('keeps durations separated by punctuation apart', () => {
    expect(found('wait an hour. then a minute')).toEqual([
      ['duration', 3600, 'an hour'],
      ['duration', 60, 'a minute'],
    ]);
  });

  it.each([
    ['I have 3 cats', [3]],
    ['twenty two', [22]],
    ['one hundred and five', [105]],
    ['two thousand twenty six', [2026]],
    ['one two', [1, 2]],
    ['play the next one', [1]],
  ])('reads the numbers in "%s"', (text, numbers) => {
    expect(
      extractor
        .extract(text)
        .filter((m) => m.entity === 'number')
        .map((m) => m.value),
    ).toEqual(numbers);
  });

  it('does not read a number that belongs to a duration, nor an article, as a number', () => {
    expect(found('a timer for 20 minutes')).toEqual([['duration', 1200, '20 minutes']]);
  });
});

describe('EntityExtractor: places', () => {
  it('reads the words after "in" or "for" as a city only when asked to', () => {
    expect(found('is it raining in springfield')).toEqual([]);
    expect(found('is it raining in springfield', { placeAfterPreposition: true })).toEqual([
      ['city', 'Springfield', 'springfield'],
    ]);
    expect(found('forecast for Little Rock', { placeAfterPreposition: true })).toEqual([
      ['city', 'Little Rock', 'Little Rock'],
    ]);
  });

  it('stops at punctuation, time words and after three words', () => {
    const place = { placeAfterPreposition: true };
    expect(found('weather in springfield tomorrow', place)).toEqual([['city', 'Springfield', 'springfield']]);
    expect(found('weather in springfield, please', place)).toEqual([['city', 'Springfield', 'springfield']]);
    expect(found('weather in one two three four', place)).toEqual([
      ['number', 1, 'one'],
      ['number', 2, 'two'],
      ['number', 3, 'three'],
      ['number', 4, 'four'],
    ]);
    expect(found('weather in san luis obispo county', place)).toEqual([['city', 'San Luis Obispo', 'san luis obispo']]);
  });

  it('finds no place in durations or time phrases', () => {
    const place = { placeAfterPreposition: true };
    expect(found('remind me in 20 minutes', place)).toEqual([['duration', 1200, '20 minutes']]);
    expect(found('forecast for the next few days', place)).toEqual([]);
    expect(found('what is the weather for tomorrow', place)).toEqual([]);
  });

  it('does not guess a place when a known city is already there', () => {
    expect(found('weather for today in Paris', { placeAfterPreposition: true })).toEqual([['city', 'Paris', 'Paris']]);
  });

  it('takes a capitalised name as the city the assistant asked for, skipping fillers', () => {
    const asked = { expecting: 'city' as const };
    expect(found('Springfield', asked)).toEqual([['city', 'Springfield', 'Springfield']]);
    expect(found("Well, it's Little Rock please", asked)).toEqual([['city', 'Little Rock', 'Little Rock']]);
    expect(found('I said Springfield', asked)).toEqual([['city', 'Springfield', 'Springfield']]);
    expect(found('paris', asked)).toEqual([['city', 'Paris', 'paris']]);
    expect(found('springfield', asked)).toEqual([]);
    expect(found('Springfield')).toEqual([]);
  });
});

describe('EntityExtractor: fast paths', () => {
  const extractor = new EntityExtractor({
    city: ['Paris', 'New York', 'York', 'Sao Paulo', 'Zurich', 'Nice'],
    genre: ['jazz', 'hip hop', '80s pop'],
    artist: ['Ella Moon', 'Blink 182'],
    title: ['Blue Night', '1999', '7 Rings', 'Nice'],
  });
  const vocabulary = [
    ...['1999', '80s pop', '80s', 'pop', '7 rings', '7', 'blink 182', '182', '0', '0.5', '09'],
    ...[
      'paris',
      'Paris',
      'new york',
      'York',
      'sao paulo',
      'Zurich',
      'nice',
      'jazz',
      'hip hop',
      'ella moon',
      'blue night',
    ],
    ...['in', 'for', 'play', 'weather', 'set', 'a', 'timer', 'the', 'an', 'half', 'and', 'twenty', 'five', '1.5', '20'],
    ...['minutes', 'hour', 'hrs', 'day', 'secs', 'constructor', 'tostring', 'springfield', 'Little Rock', "it's"],
  ];
  const gaps = [' ', ' ', ' ', '  ', ', ', '-', '. ', '?', "'", 'x'];
  const asciiText = fc
    .array(fc.tuple(fc.constantFrom(...vocabulary), fc.constantFrom(...gaps)), { minLength: 1, maxLength: 7 })
    .map((parts) => parts.flat().join(''));
  const options = fc.constantFrom<ExtractOptions>(
    {},
    { placeAfterPreposition: true },
    { expecting: 'city' },
    { expecting: 'genre' },
  );

  it('finds in printable ASCII what the Unicode path finds', () => {
    // A trailing "¿" is no letter, digit or token, but sends the text down the Unicode folding, tokens and runs.
    fc.assert(
      fc.property(asciiText, options, (text, o) => {
        expect(extractor.extract(text, o), text).toEqual(extractor.extract(`${text} ¿`, o));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads a number in digits whatever digit it starts with', () => {
    for (let digit = 0; digit <= 9; digit += 1)
      expect(extractor.extract(`wait ${digit}5 minutes`).map((m) => [m.entity, m.value, m.raw])).toEqual([
        ['duration', (digit * 10 + 5) * 60, `${digit}5 minutes`],
      ]);
  });

  it('counts a token as a unit exactly where a quantity before it makes a duration', () => {
    const quantity: Token = { text: 'five', start: 0, end: 4, gapBefore: '' };
    const names = [
      ...['second', 'seconds', 'sec', 'secs', 'minute', 'minutes', 'min', 'mins', 'hour', 'hours', 'hr', 'hrs'],
      ...['day', 'days', 'week', 'constructor', 'tostring', 'toString', '__proto__', 'valueOf', 'hasOwnProperty', ''],
    ];
    for (const text of names) {
      const unit: Token = { text, start: 5, end: 5 + text.length, gapBefore: ' ' };
      expect(isUnit(unit), text).toBe(durationPart([quantity, unit], 0) !== undefined);
    }
  });
});
