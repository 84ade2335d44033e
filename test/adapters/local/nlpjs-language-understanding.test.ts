import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CityGazetteer } from '../../../adapters/local/city-gazetteer.js';
import { NlpJsLanguageUnderstanding } from '../../../adapters/local/nlpjs-language-understanding.js';
import { ValidationError } from '../../../core/errors.js';
import type { TrainingSet } from '../../../core/model/understanding.js';
import { NO_INTENT } from '../../../core/model/understanding.js';
import type { Nlp } from '@nlpjs/nlp';
import { describeLanguageUnderstandingContract } from '../../contract/language-understanding.contract.js';

describeLanguageUnderstandingContract('NlpJsLanguageUnderstanding', (training) =>
  NlpJsLanguageUnderstanding.create({ training }),
);

const TRAINING: TrainingSet = {
  language: 'en',
  intents: [
    {
      name: 'weather.current',
      utterances: ['what is the weather in {city}', 'weather in {city}', 'is it cold in {city}', 'how warm is it'],
      slots: [{ name: 'city', entity: 'city' }],
    },
    {
      name: 'timer.set',
      utterances: ['set a timer for {duration}', 'start a {duration} timer', 'timer for {duration}'],
      slots: [{ name: 'duration', entity: 'duration' }],
    },
    { name: 'greeting.hello', utterances: ['hello', 'hi there', 'good morning'], slots: [] },
  ],
  entities: { city: ['Paris', 'Oslo', 'New York'] },
};

describe('NlpJsLanguageUnderstanding', () => {
  const dirs: string[] = [];
  const cacheDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nlpjs-cache-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('writes the trained model to the cache and loads it, without training, on the next start', async () => {
    // Prepare
    const dir = await cacheDir();
    // Act
    const first = await NlpJsLanguageUnderstanding.create({ training: TRAINING, cacheDir: dir });
    const second = await NlpJsLanguageUnderstanding.create({ training: TRAINING, cacheDir: dir });
    // Assess
    expect(first.trainedFromScratch).toBe(true);
    expect(second.trainedFromScratch).toBe(false);
    expect(second.cacheFile).toBe(first.cacheFile);
    expect(await readdir(dir)).toEqual([first.cacheFile?.slice(dir.length + 1)]);
    const a = await first.understand({ text: 'what is the weather like in Oslo', language: 'en' });
    const b = await second.understand({ text: 'what is the weather like in Oslo', language: 'en' });
    expect(b).toEqual(a);
    expect(b.intent).toBe('weather.current');
  });

  it('keys the cache by the training data, so changed training trains a new model', async () => {
    const dir = await cacheDir();
    const first = await NlpJsLanguageUnderstanding.create({ training: TRAINING, cacheDir: dir });
    const changed: TrainingSet = { ...TRAINING, entities: { city: ['Paris', 'Oslo', 'New York', 'Lima'] } };

    const second = await NlpJsLanguageUnderstanding.create({ training: changed, cacheDir: dir });

    expect(second.trainedFromScratch).toBe(true);
    expect(second.cacheFile).not.toBe(first.cacheFile);
    expect(await readdir(dir)).toHaveLength(2);
  });

  it.each([
    ['not JSON', 'this is { not json'],
    ['JSON that is no model', JSON.stringify({ key: 'x', model: '{"nope":true}' })],
  ])('ignores a corrupt cache file (%s) and retrains over it', async (_label, content) => {
    const dir = await cacheDir();
    const first = await NlpJsLanguageUnderstanding.create({ training: TRAINING, cacheDir: dir });
    await writeFile(first.cacheFile as string, content);

    const second = await NlpJsLanguageUnderstanding.create({ training: TRAINING, cacheDir: dir });
    const third = await NlpJsLanguageUnderstanding.create({ training: TRAINING, cacheDir: dir });

    expect(second.trainedFromScratch).toBe(true);
    expect((await second.understand({ text: 'hello', language: 'en' })).intent).toBe('greeting.hello');
    expect(third.trainedFromScratch).toBe(false);
  });

  it('reads the words after "in" as a city only for intents that take a city', async () => {
    const nlu = await NlpJsLanguageUnderstanding.create({ training: TRAINING });

    const weather = await nlu.understand({ text: 'what is the weather in springfield', language: 'en' });
    const timer = await nlu.understand({ text: 'set a timer for ten minutes', language: 'en' });
    const pasta = await nlu.understand({ text: 'set a timer for pasta', language: 'en' });

    expect(weather.intent).toBe('weather.current');
    expect(weather.slots.city).toEqual({ entity: 'city', value: 'Springfield', raw: 'springfield' });
    expect(timer.intent).toBe('timer.set');
    expect(timer.slots).toEqual({ duration: { entity: 'duration', value: 600, raw: 'ten minutes' } });
    expect(timer.entities.map((e) => e.entity)).toEqual(['duration']);
    expect(pasta.intent).toBe('timer.set');
    expect(pasta.entities).toEqual([]);
  });

  it('takes an unknown capitalised name as the city the assistant asked for', async () => {
    const nlu = await NlpJsLanguageUnderstanding.create({ training: TRAINING });
    const expecting = { intent: 'weather.current', slot: 'city', entity: 'city' } as const;

    const understanding = await nlu.understand({ text: 'Springfield', language: 'en', expecting });
    const unasked = await nlu.understand({ text: 'Springfield', language: 'en' });

    expect(understanding.entities).toEqual([{ entity: 'city', value: 'Springfield', raw: 'Springfield' }]);
    expect(unasked.entities).toEqual([]);
  });

  it('answers NO_INTENT for a language it was not trained on, and for empty text', async () => {
    const nlu = await NlpJsLanguageUnderstanding.create({ training: TRAINING });

    await expect(nlu.understand({ text: 'quel temps fait-il à Paris', language: 'fr' })).resolves.toMatchObject({
      intent: NO_INTENT,
      confidence: 0,
    });
    await expect(nlu.understand({ text: '   ', language: 'en' })).resolves.toMatchObject({ intent: NO_INTENT });
    await expect(nlu.understand({ text: 'hello', language: 'en-GB' })).resolves.toMatchObject({
      intent: 'greeting.hello',
    });
    await expect(nlu.understand({ text: 'hello', language: 'EN_us' })).resolves.toMatchObject({
      intent: 'greeting.hello',
      language: 'en',
    });
    await expect(nlu.understand({ text: 'hello', language: 'eng' })).resolves.toMatchObject({ intent: NO_INTENT });
  });

  it('refuses training it cannot use', async () => {
    await expect(
      NlpJsLanguageUnderstanding.create({ training: { ...TRAINING, language: 'de' } }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(NlpJsLanguageUnderstanding.create({ training: { ...TRAINING, intents: [] } })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(NlpJsLanguageUnderstanding.create({ training: TRAINING, threshold: 1.5 })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('classifies as nlp.js classify() does: same intent, scores and order, whatever was classified before', async () => {
    // Prepare
    const nlu = await NlpJsLanguageUnderstanding.create({ training: TRAINING });
    const { nlp } = (nlu as unknown as { engine: { nlp: Nlp } }).engine;
    const texts = [
      ...TRAINING.intents.flatMap((intent) => intent.utterances),
      'what is the weather like in Oslo',
      'set a timer',
      'good evening',
      'play some jazz',
      'who wrote Hamlet',
      'hello hello is it cold',
      '',
      'timer timer timer',
    ];
    // Act / Assess: twice over, interleaved, so state either path leaves behind would show
    for (const text of [...texts, ...texts]) {
      const ours = await nlp.nluManager.process({ locale: 'en', utterance: text, settings: {} });
      const theirs = await nlp.classify('en', text);
      expect([ours.intent, ours.classifications]).toEqual([theirs.intent, theirs.classifications]);
    }
  });
});

describe('NlpJsLanguageUnderstanding with a gazetteer loaded in the background', () => {
  const valparaiso = { name: 'Valparaíso', country: 'CL', admin: '01', population: 282_448, lat: -33.04, lon: -71.63 };

  it('is ready before the gazetteer is, and a question naming a place waits for it', async () => {
    // Prepare: a load that ends only when the test says so.
    let finish: (gazetteer: CityGazetteer) => void = () => undefined;
    const loading = new Promise<CityGazetteer>((resolve) => (finish = resolve));
    let loads = 0;

    // Act
    const nlu = await NlpJsLanguageUnderstanding.create({
      training: TRAINING,
      gazetteer: () => ((loads += 1), loading),
    });
    const pending = nlu.understand({ text: 'how cold is Valparaiso today', language: 'en' });
    finish(CityGazetteer.of([valparaiso]));
    const understood = await pending;
    const again = await nlu.understand({ text: 'Valparaiso weather', language: 'en' });

    // Assess
    expect(loads).toBe(1);
    expect(understood.slots.city?.value).toBe('Valparaiso');
    expect(again.slots.city?.value).toBe('Valparaiso');
  });

  it('falls back to its city list when the load finds no data or fails', async () => {
    for (const gazetteer of [async () => undefined, () => Promise.reject(new Error('unreadable'))]) {
      const nlu = await NlpJsLanguageUnderstanding.create({ training: TRAINING, gazetteer });
      const understood = await nlu.understand({ text: 'weather in Paris', language: 'en' });
      expect(understood.slots.city?.value).toBe('Paris');
    }
  });
});
