// The slice of @nlpjs/basic 4.27 that NlpJsLanguageUnderstanding uses; the package ships no types.
declare module '@nlpjs/basic' {
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

  export class Nlp {
    constructor(settings: NlpSettings);
    addDocument(locale: string, utterance: string, intent: string): void;
    train(): Promise<unknown>;
    classify(locale: string, utterance: string): Promise<NlpClassifyResult>;
    export(minified?: boolean): string;
    /** Throws on data that is not an exported model. */
    import(data: string): void;
  }

  interface NlpJsBasic {
    containerBootstrap(): Promise<NlpContainer>;
    Nlp: typeof Nlp;
    LangEn: unknown;
  }

  const nlpjs: NlpJsBasic;
  export default nlpjs;
}
