// A JSGF grammar of everything the registered skills understand, built from the same TrainingSet that trains the local
// NLU and generates the Lex bot: each intent's utterances become alternatives of the public rule, and each `{slot}`
// becomes a rule listing the slot entity's known values (cities, genres, artists, titles).
import type { EntityType, TrainingSet } from '../../core/model/understanding.js';

export interface JsgfGrammar {
  /** The grammar text, ready for `ps_set_jsgf_string`. */
  text: string;
  /** Utterances kept (with their slot rules), for tests and the benchmark. */
  utterances: number;
  /** What was left out because a word is not in the pronunciation dictionary, e.g. `title: "electrodoodle"`. */
  skipped: string[];
}

export interface JsgfOptions {
  /** Whether the recognizer can pronounce `word` (lower case); phrases with unknown words are left out. */
  knows: (word: string) => boolean;
  name?: string;
}

const SLOT = /\{(\w+)\}/g;

/** Contractions people say either way: the grammar takes both ("what's the time", "what is the time"). */
const CONTRACTIONS: Readonly<Record<string, string>> = {
  "what's": 'what is',
  "it's": 'it is',
  "who's": 'who is',
  "how's": 'how is',
  "that's": 'that is',
  "where's": 'where is',
  "i'm": 'i am',
};

/** Lower case words of `phrase`, apostrophes kept ("what's"), everything else a separator. */
export function words(phrase: string): string[] {
  return phrase
    .toLowerCase()
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}'{}\s]/gu, ' ')
    .split(/\s+/)
    .filter((word) => word.length > 0);
}

export function jsgfFromTrainingSet(training: TrainingSet, options: JsgfOptions): JsgfGrammar {
  const skipped: string[] = [];
  const known = (phrase: string, what: string): string | undefined => {
    const list = words(phrase);
    const unknown = list.filter((word) => !/^\{\w+\}$/.test(word) && !options.knows(word));
    if (unknown.length === 0 && list.length > 0) return list.join(' ');
    skipped.push(`${what}: "${phrase}"`);
    return undefined;
  };

  const entityRules = new Map<EntityType, string[]>();
  for (const [entity, values] of Object.entries(training.entities) as [EntityType, readonly string[]][]) {
    const kept = unique(values.map((value) => known(value, entity)));
    if (kept.length > 0) entityRules.set(entity, kept);
  }

  const alternatives: string[] = [];
  for (const intent of training.intents) {
    const slotEntity = new Map(intent.slots.map((slot) => [slot.name, slot.entity]));
    for (const utterance of intent.utterances) {
      const phrase = known(utterance, intent.name);
      if (!phrase) continue;
      let usable = true;
      const expanded = phrase.replace(SLOT, (_match, slot: string) => {
        const entity = slotEntity.get(slot);
        if (!entity || !entityRules.has(entity)) usable = false;
        return `<${entity ?? slot}>`;
      });
      if (usable) alternatives.push(withContractions(expanded, options.knows));
      else skipped.push(`${intent.name}: "${utterance}" (no pronounceable values for its slot)`);
    }
  }
  const kept = unique(alternatives);
  const name = options.name ?? 'assistant';
  const lines = [
    '#JSGF V1.0;',
    `grammar ${name};`,
    ...[...entityRules].map(([entity, values]) => `<${entity}> = ${values.join(' | ')};`),
    `public <command> = ${kept.join(' | ')};`,
  ];
  return { text: `${lines.join('\n')}\n`, utterances: kept.length, skipped };
}

function withContractions(phrase: string, knows: (word: string) => boolean): string {
  return phrase
    .split(' ')
    .map((word) => {
      const long = CONTRACTIONS[word];
      if (!long || long === word || !long.split(' ').every(knows)) return word;
      return `( ${word} | ${long} )`;
    })
    .join(' ');
}

function unique(list: ReadonlyArray<string | undefined>): string[] {
  return [...new Set(list.filter((item): item is string => item !== undefined))];
}
