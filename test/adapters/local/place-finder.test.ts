import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CityGazetteer, type Place } from '../../../adapters/local/city-gazetteer.js';
import { PlaceFinder } from '../../../adapters/local/place-finder.js';

const place = (name: string, country: string, admin: string, population: number): Place => ({
  name,
  country,
  admin,
  population,
  lat: 0,
  lon: 0,
});

const finder = new PlaceFinder(
  CityGazetteer.of([
    place('Portland', 'US', 'OR', 650_000),
    place('Salt Lake City', 'US', 'UT', 200_000),
    place('Winston-Salem', 'US', 'NC', 250_000),
    place('St. Louis', 'US', 'MO', 300_000),
    place("O'Fallon", 'US', 'MO', 90_000),
    place('New York City', 'US', 'NY', 8_000_000),
    place('Nice', 'FR', '93', 340_000),
    place('Reading', 'GB', 'ENG', 170_000),
    place('Bo', 'SL', '01', 170_000),
    place('Łódź', 'PL', '74', 670_000),
    place('São Paulo', 'BR', '27', 12_000_000),
    place('Paris', 'FR', '11', 2_100_000),
  ]),
);

/** titleCase as it was: a letter at the start or after white space or a hyphen upper-cased. */
const unicodeTitleCase = (text: string) =>
  text.replace(/(^|[\s-])(\p{L})/gu, (_m, gap: string, letter: string) => gap + letter.toUpperCase());

const PLACES = [
  ...['portland', 'salt lake city', 'Salt Lake City', 'winston-salem', 'Winston-Salem', 'st. louis', 'St.Louis'],
  ...["o'fallon", "O'Fallon", 'new york', 'NEW YORK', 'nice', 'Nice', 'reading', 'Reading', 'bo', 'BO', 'paris'],
];
const WORDS = [
  'in',
  'for',
  'weather',
  'time',
  'what',
  'is',
  'the',
  'a',
  'GO',
  'TO',
  'X',
  'tomorrow',
  '12',
  '3.5',
  'it',
];
const QUALIFIERS = ['oregon', 'Oregon', 'OR', 'or', 'ME', 'me', 'France', 'uk', 'new mexico', 'North Carolina'];
const GAPS = [' ', ' ', ' ', '  ', ', ', ',', '-', ' - ', '. ', "'", '?', '!'];

/** Printable ASCII texts of place names, qualifiers and other words, with a variety of gaps between them. */
const asciiText = (vocabulary: readonly string[]) =>
  fc
    .array(fc.tuple(fc.constantFrom(...vocabulary), fc.constantFrom(...GAPS)), { minLength: 1, maxLength: 6 })
    .map((parts) => parts.flat().join('').trim());

describe('PlaceFinder: the printable ASCII fast paths', () => {
  it('reads ASCII text as the Unicode path reads it', () => {
    // A trailing "¿" is no word and no letter, but sends the text down the Unicode tokenizer and shout test.
    fc.assert(
      fc.property(asciiText([...PLACES, ...WORDS, ...QUALIFIERS]), (text) => {
        expect(finder.find(text), text).toEqual(finder.find(`${text} ¿`));
      }),
      { numRuns: 5000 },
    );
  });

  it('title-cases an ASCII place as the Unicode replacement does', () => {
    // Without a qualifier (no comma in the value) the value is the title-cased span as said.
    let found = 0;
    fc.assert(
      fc.property(asciiText([...PLACES, ...WORDS]), (text) => {
        const match = finder.find(text);
        if (!match || match.value.includes(',')) return;
        found += 1;
        expect(match.value, text).toBe(unicodeTitleCase(match.raw));
      }),
      { numRuns: 5000 },
    );
    expect(found).toBeGreaterThan(1000);
  });

  it('finds multi-word, hyphenated and dotted names, with their qualifier', () => {
    expect(finder.find('weather in winston-salem tomorrow')).toMatchObject({ value: 'Winston-Salem' });
    expect(finder.find('is it cold in new york city')).toMatchObject({ value: 'New York City' });
    expect(finder.find('weather in salt lake city please')).toMatchObject({ value: 'Salt Lake City' });
    expect(finder.find('weather for portland, oregon')).toMatchObject({
      value: 'Portland, Oregon',
      raw: 'portland, oregon',
    });
    expect(finder.find('weather for portland OR')).toMatchObject({ value: 'Portland, OR' });
    expect(finder.find('weather for portland or not')).toMatchObject({ value: 'Portland', raw: 'portland' });
    // A two-word qualifier is two words a space apart.
    expect(finder.find('weather for portland, new mexico')).toMatchObject({ value: 'Portland, New Mexico' });
    expect(finder.find('weather for portland, new-mexico')).toMatchObject({ value: 'Portland', raw: 'portland' });
  });

  it('counts a capital outside ASCII as a capital, and all capitals as shouting, as in ASCII', () => {
    expect(finder.find('I love Łódź')).toMatchObject({ value: 'Łódź', start: 7 });
    expect(finder.find('I love łódź')).toBeUndefined();
    expect(finder.find('I LOVE ŁÓDŹ')).toBeUndefined();
    expect(finder.find('I love Paris')).toMatchObject({ value: 'Paris' });
    expect(finder.find('I LOVE PARIS')).toBeUndefined();
    // Three letters are not yet shouting: "BO" is a capitalised name there.
    expect(finder.find('A BO')).toMatchObject({ value: 'BO' });
    expect(finder.find('É BO')).toMatchObject({ value: 'BO' });
    expect(finder.find('weather in são paulo')).toMatchObject({ value: 'São Paulo' });
  });
});
