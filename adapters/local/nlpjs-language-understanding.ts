import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { containerBootstrap, type NlpContainer } from '@nlpjs/core';
import { LangEn } from '@nlpjs/lang-en-min';
import { Nlp } from '@nlpjs/nlp';
import { throwIfAborted, ValidationError } from '../../core/errors.js';
import { NO_INTENT, type TrainingSet, type Understanding } from '../../core/model/understanding.js';
import {
  type LanguageUnderstanding,
  type LanguageUnderstandingCapabilities,
  type UnderstandRequest,
} from '../../core/ports/language-understanding.js';
import type { EntityType } from '../../core/model/understanding.js';
import { EntityExtractor, type EntityMatch } from './entity-extractor.js';
import type { CityGazetteer } from './city-gazetteer.js';
import { cuedIntent } from './intent-cues.js';
import { primaryLanguage } from '../shared/language-tag.js';
import { musicPhrases } from './music-phrases.js';
import { PlaceFinder } from './place-finder.js';

export interface NlpJsLanguageUnderstandingOptions {
  training: TrainingSet;
  /** Directory for the trained model; a restart with the same training data loads it instead of training. */
  cacheDir?: string;
  /** Below this confidence the utterance is reported as NO_INTENT (default 0.5). */
  threshold?: number;
  /**
   * Places of the world, read where an intent takes a city; without it only the training's city list is known. A
   * loader is called once, in the background as soon as the model is ready: start-up does not wait for it, and the
   * first question that needs a place waits for the load to end (with no gazetteer when it yields none).
   */
  gazetteer?: CityGazetteer | (() => Promise<CityGazetteer | undefined>) | undefined;
}

/** The confidence of an intent a word cue decided (intent-cues.ts). */
const CUE_CONFIDENCE = 0.9;

/** Bumped whenever training changes in a way the training data does not show, so stale caches are not loaded. */
const MODEL_FORMAT = 1;
const SAMPLES_PER_SLOT = 3;
/** Stand-in values for slots of types that have no dictionary. */
const FALLBACK_SAMPLES: Partial<Record<EntityType, readonly string[]>> = {
  duration: ['ten minutes', '5 minutes', 'an hour'],
  number: ['three', '7', 'twenty'],
  text: ['something'],
};

/** Words that say nothing about what is asked, so they count neither for nor against familiarity. */
const FILLERS = 'please right just really actually maybe kindly hey okay ok um uh well quickly currently';

interface Engine {
  container: NlpContainer;
  nlp: Nlp;
}

/** Offline intent classification with nlp.js, plus dictionary and rule-based entities. */
export class NlpJsLanguageUnderstanding implements LanguageUnderstanding {
  readonly capabilities: LanguageUnderstandingCapabilities;
  private readonly language: string;
  /** The primary subtag of the model's language, worked out once rather than on every call. */
  private readonly primary: string;
  private readonly extractor: EntityExtractor;
  private readonly slotsByIntent: Map<string, TrainingSet['intents'][number]['slots']>;
  private readonly vocabulary: Set<string>;
  private readonly fillers: Set<string>;
  /** The gazetteer's place finder, or its load under way. */
  private readonly places: Promise<PlaceFinder | undefined> | PlaceFinder | undefined;
  /** Set once the gazetteer is loaded. */
  private placeFinder: PlaceFinder | undefined;
  /** True during the warm-up call of create(), which must not wait for the gazetteer. */
  private warming = false;

  private constructor(
    private readonly engine: Engine,
    training: TrainingSet,
    private readonly threshold: number,
    /** False when the model was loaded from the cache instead of trained. */
    readonly trainedFromScratch: boolean,
    /** The cache file, when caching is on. */
    readonly cacheFile: string | undefined,
    gazetteer?: NlpJsLanguageUnderstandingOptions['gazetteer'],
  ) {
    if (typeof gazetteer === 'function') {
      this.places = gazetteer().then(
        (loaded) => (this.placeFinder = loaded && new PlaceFinder(loaded)),
        () => undefined,
      );
    } else this.places = this.placeFinder = gazetteer && new PlaceFinder(gazetteer);
    this.language = training.language;
    this.primary = primaryLanguage(training.language);
    this.capabilities = {
      entities: ['city', 'genre', 'artist', 'title', 'duration', 'number'],
      languages: [training.language],
    };
    this.extractor = new EntityExtractor(training.entities);
    this.slotsByIntent = new Map(training.intents.map((intent) => [intent.name, intent.slots]));
    this.fillers = new Set(this.contentWords(FILLERS));
    this.vocabulary = new Set(
      training.intents.flatMap((intent) =>
        intent.utterances.flatMap((u) => this.contentWords(u.replace(/\{\w+\}/g, ' '))),
      ),
    );
  }

  /** Trains (or loads the cached model for) `training` and warms the classifier up, whose first call is slow. */
  static async create(options: NlpJsLanguageUnderstandingOptions): Promise<NlpJsLanguageUnderstanding> {
    const { training, cacheDir, threshold = 0.5 } = options;
    if (!(threshold >= 0 && threshold <= 1))
      throw new ValidationError(`nlp.js: threshold must be within 0..1, not ${threshold}`);
    if (primaryLanguage(training.language) !== 'en')
      throw new ValidationError(`nlp.js: only English is supported, not "${training.language}"`);
    if (training.intents.length === 0) throw new ValidationError('nlp.js: the training set has no intents');
    const key = createHash('sha256')
      .update(JSON.stringify({ format: MODEL_FORMAT, training }))
      .digest('hex');
    const cacheFile = cacheDir === undefined ? undefined : join(cacheDir, `nlpjs-model-${key}.json`);
    let engine = cacheFile ? await loadCached(cacheFile, key) : undefined;
    const trainedFromScratch = engine === undefined;
    if (!engine) {
      engine = await train(training);
      if (cacheDir !== undefined && cacheFile !== undefined)
        await writeCache(cacheDir, cacheFile, key, engine.nlp.export(true));
    }
    const nlu = new NlpJsLanguageUnderstanding(
      engine,
      training,
      threshold,
      trainedFromScratch,
      cacheFile,
      options.gazetteer,
    );
    nlu.warming = true;
    await nlu.understand({ text: training.intents[0]?.utterances[0] ?? 'hello', language: training.language });
    nlu.warming = false;
    return nlu;
  }

  async understand(request: UnderstandRequest): Promise<Understanding> {
    throwIfAborted(request.signal);
    const text = request.text.trim();
    // Another language is no error: nothing matched, and the language model may still answer.
    if (!this.speaks(request.language) || text.length === 0) {
      return { intent: NO_INTENT, confidence: 0, slots: {}, entities: [], language: request.language };
    }
    const expecting = request.expecting?.entity;
    // classify() with settings of our own, fresh per call (nlp.js merges its defaults into them). classify() itself hands
    // the NLU manager's settings object down, and merging that one into the domain's costs ~10 µs a call on Node 20;
    // the intent and classifications are the same (test: "classifies as nlp.js classify() does").
    const result = await this.engine.nlp.nluManager.process({ locale: 'en', utterance: text, settings: {} });
    throwIfAborted(request.signal);
    const best = result.intent === NO_INTENT ? undefined : result.classifications[0];
    // A cue for an intent this model was not trained on (a skill not registered) says nothing.
    const cued = cuedIntent(text);
    const cue = cued === NO_INTENT || this.slotsByIntent.has(cued ?? '') ? cued : undefined;
    const guess = cue === undefined ? best?.intent : cue === NO_INTENT ? undefined : cue;
    const matches = this.extractor.extract(text, { expecting, placeAfterPreposition: this.takes(guess, 'city') });
    const score =
      cue === undefined
        ? best
          ? best.score * this.familiarity(text, matches)
          : 0
        : guess
          ? Math.max(CUE_CONFIDENCE, best?.intent === guess ? best.score : 0)
          : 0;
    const intent = guess && score >= this.threshold ? guess : NO_INTENT;
    // A place read only because the rejected guess took a city is no longer grounded: extract again without it.
    const entities = await this.refine(
      text,
      intent,
      intent === NO_INTENT && this.takes(guess, 'city') ? this.extractor.extract(text, { expecting }) : matches,
      expecting,
    );
    return {
      intent,
      confidence: round(intent === NO_INTENT ? 1 - score : score),
      slots: this.slotsFor(intent, entities),
      entities: entities.map(({ entity, value, raw }) => ({ entity, value, raw })),
      language: this.language,
    };
  }

  /** True when `language` has the model's primary subtag ("en-GB" for an "en" model). */
  private speaks(language: string): boolean {
    // The model's own tag, as nearly every request carries, needs no parsing.
    return language === this.language || primaryLanguage(language) === this.primary;
  }

  private takes(intent: string | undefined, entity: string): boolean {
    return this.slotsByIntent.get(intent ?? '')?.some((slot) => slot.entity === entity) ?? false;
  }

  /** Adds what the dictionaries cannot know: places from the gazetteer, artists and titles from the phrasing. */
  private async refine(
    text: string,
    intent: string,
    found: EntityMatch[],
    expecting: string | undefined,
  ): Promise<EntityMatch[]> {
    let entities = found;
    if (this.places && (this.takes(intent, 'city') || expecting === 'city')) {
      // Awaited only while the gazetteer is still loading: a loaded one costs no extra turn of the event loop.
      const finder = this.placeFinder ?? (this.warming ? undefined : await this.places);
      const place = finder?.find(text);
      if (place) {
        const overlaps = (m: EntityMatch) => m.start < place.end && m.end > place.start;
        entities = [
          ...entities.filter((m) => m.entity !== 'city' && !overlaps(m)),
          { entity: 'city', value: place.value, raw: place.raw, start: place.start, end: place.end },
        ];
      }
    }
    if (this.takes(intent, 'artist') || this.takes(intent, 'title'))
      entities = [...entities, ...musicPhrases(text, entities)];
    return entities.sort((a, b) => a.start - b.start);
  }

  /** Fills each slot the intent declares with the next unused entity of its type. */
  private slotsFor(intent: string, entities: EntityMatch[]): Understanding['slots'] {
    const slots: Understanding['slots'] = {};
    const used = new Set<EntityMatch>();
    for (const slot of this.slotsByIntent.get(intent) ?? []) {
      const match = entities.find((e) => e.entity === slot.entity && !used.has(e));
      if (!match) continue;
      used.add(match);
      slots[slot.name] = { entity: match.entity, value: match.value, raw: match.raw };
    }
    return slots;
  }

  /**
   * The share of the utterance's content words the training has seen, entities excepted. The classifier spreads all
   * its confidence over the trained intents even for off-topic text ("who wrote Hamlet" shares only "who" with
   * "who is singing"), so confidence is discounted by how much of the utterance is unfamiliar; an unknown word
   * weighs half a known one, so one stray word ("right now") does not sink a clear request.
   */
  private familiarity(text: string, entities: readonly EntityMatch[]): number {
    let masked = text;
    for (const e of entities) masked = masked.slice(0, e.start) + ' '.repeat(e.end - e.start) + masked.slice(e.end);
    const words = this.contentWords(masked).filter((word) => !this.fillers.has(word));
    const known = words.filter((word) => this.vocabulary.has(word)).length;
    const unknown = words.length - known;
    return words.length === 0 ? 1 : known / (known + unknown / 2);
  }

  private contentWords(text: string): string[] {
    const { container } = this.engine;
    const tokens = container.get('tokenizer-en').tokenize(text.toLowerCase(), true);
    return container.get('stemmer-en').stemWords(container.get('stopwords-en').removeStopwords(tokens));
  }
}

async function newEngine(): Promise<Engine> {
  const container = await containerBootstrap();
  container.use(LangEn);
  // nlp.js logs every training epoch to the console unless told otherwise; the rest are its defaults.
  container.registerConfiguration(
    'nlu-??',
    {
      log: false,
      keepStopwords: true,
      nonefeatureValue: 1,
      nonedeltaMultiplier: 1.2,
      spellCheck: false,
      spellCheckDistance: 1,
      filterZeros: true,
    },
    true,
  );
  return {
    container,
    nlp: new Nlp({ container, languages: ['en'], autoSave: false, autoLoad: false, calculateSentiment: false }),
  };
}

async function train(training: TrainingSet): Promise<Engine> {
  const engine = await newEngine();
  training.intents.forEach((intent, index) => {
    for (const utterance of intent.utterances) {
      for (const sentence of expand(utterance, intent.slots, training.entities, index))
        engine.nlp.addDocument('en', sentence, intent.name);
    }
  });
  await engine.nlp.train();
  return engine;
}

/** Replaces `{slot}` markers with a few real values, so the classifier learns from sentences like the ones it will hear. */
function expand(
  utterance: string,
  slots: TrainingSet['intents'][number]['slots'],
  dictionaries: TrainingSet['entities'],
  seed: number,
): string[] {
  if (!/\{\w+\}/.test(utterance)) return [utterance];
  const sentences = Array.from({ length: SAMPLES_PER_SLOT }, (_, sample) =>
    utterance.replace(/\{(\w+)\}/g, (_m, name: string) => {
      const type = slots.find((slot) => slot.name === name)?.entity ?? 'text';
      const values = dictionaries[type]?.length ? dictionaries[type] : (FALLBACK_SAMPLES[type] ?? [name]);
      const spread = Math.floor((sample * values.length) / SAMPLES_PER_SLOT);
      return values[(spread + seed) % values.length] as string;
    }),
  );
  return [...new Set(sentences)];
}

/** The cached model, or undefined when it is missing, unreadable or corrupt (the caller then retrains). */
async function loadCached(file: string, key: string): Promise<Engine | undefined> {
  try {
    const cached = JSON.parse(await readFile(file, 'utf8')) as { key?: unknown; model?: unknown };
    if (cached.key !== key || typeof cached.model !== 'string') return undefined;
    const engine = await newEngine();
    engine.nlp.import(cached.model);
    await engine.nlp.classify('en', 'hello');
    return engine;
  } catch {
    return undefined;
  }
}

/** Writes through a temporary file and a rename, so a concurrent reader never sees half a model. */
async function writeCache(dir: string, file: string, key: string, model: string): Promise<void> {
  // Owner-only: the cache sits in the data directory beside the conversations.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, JSON.stringify({ key, model }), { mode: 0o600 });
  await rename(temporary, file);
}

/** The tag's primary subtag, lower case: what precedes its first "-" or "_". */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
