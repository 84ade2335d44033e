// The slice of nlp.js 4.x (@nlpjs/core, /nlp, /lang-en-min) that NlpJsLanguageUnderstanding uses; the packages ship no types.
declare module '@nlpjs/core' {
  export interface NlpClassification {
    intent: string;
    score: number;
  }

  export interface NlpClassifyResult {
    /** 'None' when the utterance has no feature the classifier was trained on. */
    intent: string;
    score: number;
    /** Every trained intent, best first. */
    classifications: NlpClassification[];
  }

  export interface NlpTokenizer {
    tokenize(text: string, normalize?: boolean): string[];
  }

  export interface NlpStopwords {
    removeStopwords(tokens: string[]): string[];
  }

  export interface NlpStemmer {
    stemWords(tokens: string[]): string[];
  }

  export interface NlpContainer {
    use(plugin: unknown): void;
    get(name: 'tokenizer-en'): NlpTokenizer;
    get(name: 'stopwords-en'): NlpStopwords;
    get(name: 'stemmer-en'): NlpStemmer;
    registerConfiguration(tag: string, configuration: Record<string, unknown>, overwrite?: boolean): void;
  }

  export interface NlpSettings {
    container: NlpContainer;
    languages: string[];
    autoSave?: boolean;
    autoLoad?: boolean;
    calculateSentiment?: boolean;
  }

  export function containerBootstrap(): Promise<NlpContainer>;
}

declare module '@nlpjs/nlp' {
  import type { NlpClassifyResult, NlpSettings } from '@nlpjs/core';

  export class Nlp {
    constructor(settings: NlpSettings);
    addDocument(locale: string, utterance: string, intent: string): void;
    train(): Promise<unknown>;
    classify(locale: string, utterance: string): Promise<NlpClassifyResult>;
    /** What classify() calls; given settings of the caller's own, nlp.js merges its defaults into those instead. */
    readonly nluManager: {
      process(input: {
        locale: string;
        utterance: string;
        settings: Record<string, unknown>;
      }): Promise<NlpClassifyResult>;
    };
    export(minified?: boolean): string;
    /** Throws on data that is not an exported model. */
    import(data: string): void;
  }
}

declare module '@nlpjs/lang-en-min' {
  export const LangEn: unknown;
}
