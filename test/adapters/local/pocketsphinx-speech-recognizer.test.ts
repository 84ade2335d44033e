import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsgfFromTrainingSet, words } from '../../../adapters/local/jsgf-grammar.js';
import { pocketSphinxAvailable } from '../../../adapters/local/pocketsphinx-binding.js';
import { PocketSphinxSpeechRecognizer } from '../../../adapters/local/pocketsphinx-speech-recognizer.js';
import { encodeWav } from '../../../adapters/shared/wav.js';
import { ValidationError } from '../../../core/errors.js';
import type { TrainingSet } from '../../../core/model/understanding.js';
import { defaultSkills } from '../../../core/skills/default-skills.js';
import { SkillRegistry } from '../../../core/skills/skill-registry.js';
import { describeSpeechRecognizerContract } from '../../contract/speech-recognizer.contract.js';
import { ArrayMusicCatalog } from '../../doubles/array-music-catalog.js';
import { FixedWeatherProvider } from '../../doubles/fixed-weather-provider.js';
import { fliteSpeak, pad } from '../../support/flite.js';
import { skipWhen } from '../../support/skip-reason.js';

const available = pocketSphinxAvailable();
const missing = available.ok
  ? ''
  : `${available.reason}; install: sudo apt-get install pocketsphinx pocketsphinx-en-us`;

function trainingSet(): Promise<TrainingSet> {
  const skills = defaultSkills({
    weather: new FixedWeatherProvider(),
    music: new ArrayMusicCatalog(),
    assistantName: 'X',
  });
  return new SkillRegistry(skills).trainingSet('en');
}

const made: PocketSphinxSpeechRecognizer[] = [];
afterAll(async () => {
  for (const recognizer of made.splice(0)) await recognizer.dispose();
});
async function make(options: Partial<ConstructorParameters<typeof PocketSphinxSpeechRecognizer>[0]> = {}) {
  const recognizer = PocketSphinxSpeechRecognizer.create({ training: await trainingSet(), ...options });
  made.push(recognizer);
  return recognizer;
}

describe('JSGF grammar from the skills', () => {
  it('turns utterances and slot values into rules, leaving out words the dictionary lacks', async () => {
    const training = await trainingSet();
    const grammar = jsgfFromTrainingSet(training, { knows: (word) => word !== 'unpause' });
    expect(grammar.text).toMatch(/^#JSGF V1\.0;\ngrammar assistant;\n/);
    expect(grammar.text).toContain('<city> = ');
    expect(grammar.text).toMatch(/public <command> = .*\( what's \| what is \) the weather in <city>/);
    expect(grammar.skipped).toContain('music.resume: "unpause"');
    expect(grammar.utterances).toBeGreaterThan(50);
  });

  it('splits phrases into lower-case words, keeping apostrophes and slots', () => {
    expect(words("What's the weather in {city}?")).toEqual(["what's", 'the', 'weather', 'in', '{city}']);
    expect(words('Local Forecast - Elevator')).toEqual(['local', 'forecast', 'elevator']);
  });
});

describe('PocketSphinxSpeechRecognizer', skipWhen(!available.ok, missing), () => {
  describeSpeechRecognizerContract('pocketsphinx', () => make());

  let recognizer: PocketSphinxSpeechRecognizer;
  beforeAll(async () => {
    recognizer = await make();
  });

  const wavOf = (samples: Int16Array, sampleRate: number) => ({
    data: encodeWav(samples, sampleRate),
    format: 'wav' as const,
    sampleRate,
  });

  it('loads its decoder on first use, off the event loop', async () => {
    const fresh = await make();
    expect(fresh.grammar).toBeUndefined();
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 0);
    try {
      // Timers keep firing while the models load on koffi's thread (a load on the event loop would starve them).
      await Promise.all([fresh.prepare(), fresh.prepare()]);
    } finally {
      clearInterval(ticker);
    }
    expect(ticks).toBeGreaterThan(0);
    expect(fresh.grammar?.utterances).toBeGreaterThan(50);
  });

  it('recognises a command with a slot through the grammar', async () => {
    const speech = await fliteSpeak('what is the weather in paris', 'slt');
    const result = await recognizer.recognise({ audio: wavOf(speech.samples, speech.sampleRate), language: 'en-US' });
    expect(result).toMatchObject({ text: 'what is the weather in paris', search: 'grammar' });
    expect(result.confidence).toBeGreaterThan(0.5);
  });

  it('falls back to the language model for a free-form question', async () => {
    const speech = await fliteSpeak('what is the capital of france', 'slt');
    const result = await recognizer.recognise({ audio: wavOf(speech.samples, speech.sampleRate), language: 'en-US' });
    expect(result.search).toBe('language-model');
    expect(result.text).toContain('capital of france');
  });

  it('resamples audio at another rate (8 kHz flite voice)', async () => {
    const speech = await fliteSpeak('play some jazz', 'kal');
    expect(speech.sampleRate).toBe(8000);
    // A decoder of its own: the decoder's cepstral mean adapts to the clips it heard before, and this 8 kHz voice
    // scores close to the fallback threshold (about -31.4 per frame against -32), so the order of cases would decide.
    const fresh = await make();
    const result = await fresh.recognise({
      audio: wavOf(pad(speech.samples, speech.sampleRate, 0.3), speech.sampleRate),
      language: 'en-US',
    });
    expect(result.text).toBe('play some jazz');
  });

  it('refuses audio longer than its limit', async () => {
    const short = await make({ maxSeconds: 1 });
    const clip = wavOf(new Int16Array(16_000 * 2), 16_000);
    await expect(short.transcribe({ audio: clip, language: 'en-US' })).rejects.toThrow(ValidationError);
    await expect(short.transcribe({ audio: clip, language: 'en-US' })).rejects.toThrow(/limit is 1 s/);
  });
});
