import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TypedContainerModule } from '@inversifyjs/strongly-typed';
import type { Telemetry } from '../../../core/ports/telemetry.js';
import type { Bindings } from '../../composition/bindings.js';
import type { AppConfig } from '../../composition/config.js';
import { bindFactory } from '../../composition/typed-factory.js';

/** Beside the bundle (the bundler copies it there), else in the source tree. */
const SAMPLE_CATALOG_CANDIDATES = [
  new URL('./sample-catalog.json', import.meta.url),
  new URL('../../../adapters/local/data/sample-catalog.json', import.meta.url),
];

/**
 * The ports a Lambda function serves without an AWS service: weather and music (plain HTTP and a JSON file), and the
 * in-process choices a deployment may keep (memory cache, nlp.js, an OpenAI-compatible or the offline model, AFINN,
 * HS256 tokens). It never binds SQLite or eSpeak — loadLambdaConfig refuses them — so neither enters a bundle, and
 * each adapter is imported when first resolved, so a function loads only what it uses.
 */
export function lambdaLocalModule(config: AppConfig) {
  const selected = config.adapters;
  return new TypedContainerModule<Bindings>(({ bind }) => {
    if (selected.cache === 'memory') {
      bindFactory(
        bind,
        'cache',
        ['clock'],
        async (clock) => new (await import('../../../adapters/local/memory-cache.js')).MemoryCache({ clock }),
      );
    }
    bindFactory(bind, 'weatherProvider', ['cache', 'telemetry'], async (cache, telemetry) => {
      const { OpenMeteoWeatherProvider } = await import('../../../adapters/http/open-meteo-weather-provider.js');
      const inner = new OpenMeteoWeatherProvider({
        timeoutMs: config.weather.timeoutMs,
        // Reading globalThis.fetch loads Node's HTTP client (undici); deferred to the first weather request, not the init.
        fetch: (input, init) => globalThis.fetch(input, init),
        ...(config.weather.geocodingUrl && { geocodingUrl: config.weather.geocodingUrl }),
        ...(config.weather.forecastUrl && { forecastUrl: config.weather.forecastUrl }),
      });
      if (config.cache.weatherSeconds === 0) return inner;
      const { CachingWeatherProvider } = await import('../../../adapters/decorators/caching-weather-provider.js');
      return new CachingWeatherProvider({
        inner,
        cache,
        ttlSeconds: config.cache.weatherSeconds,
        onCacheError: cacheErrorReporter(telemetry),
      });
    });
    bindFactory(bind, 'musicCatalog', [], async () => {
      const { JsonMusicCatalog } = await import('../../../adapters/local/json-music-catalog.js');
      return JsonMusicCatalog.fromFile(config.music.catalogPath ?? sampleCatalogPath());
    });
    if (selected.nlu === 'nlpjs') {
      bindFactory(bind, 'languageUnderstanding', ['skills'], async (skills) => {
        const { NlpJsLanguageUnderstanding } = await import('../../../adapters/local/nlpjs-language-understanding.js');
        return NlpJsLanguageUnderstanding.create({
          training: await skills.trainingSet(config.defaults.language.split('-')[0] ?? 'en'),
          cacheDir: join(config.dataDir, 'nlu-cache'),
          threshold: config.nlu.confidenceThreshold,
          // The data file sits beside the bundle (scripts/bundle-lambda.ts); its load starts once the model is ready,
          // not at init, and only a question naming a place waits for it.
          gazetteer: async () => (await import('../../../adapters/local/city-gazetteer.js')).CityGazetteer.load(),
        });
      });
    }
    if (selected.llm === 'openai-compatible' && config.llm.baseUrl) {
      const baseUrl = config.llm.baseUrl;
      bindFactory(bind, 'languageModel', [], async () => {
        const { OpenAiCompatibleLanguageModel } =
          await import('../../../adapters/local/openai-compatible-language-model.js');
        return new OpenAiCompatibleLanguageModel({
          baseUrl,
          model: config.llm.model,
          timeoutMs: config.llm.timeoutMs,
          ...(config.llm.apiKey && { apiKey: config.llm.apiKey }),
        });
      });
    } else if (selected.llm === 'offline') {
      bindFactory(bind, 'languageModel', ['skills'], async (skills) => {
        const { OfflineLanguageModel } = await import('../../../adapters/local/offline-language-model.js');
        return new OfflineLanguageModel({ capabilities: skills.skills.map((skill) => skill.description) });
      });
    }
    if (selected.audioStore === 'memory') {
      bindFactory(
        bind,
        'audioStore',
        ['clock'],
        async (clock) =>
          new (await import('../../../adapters/local/memory-audio-store.js')).MemoryAudioStore({ clock }),
      );
    }
    if (!config.aws.workflow) bind('turnWorkflow').toConstantValue(null);
    if (selected.tts === 'none') bind('speechSynthesizer').toConstantValue(null);
    if (selected.stt === 'none') bind('speechRecognizer').toConstantValue(null);
    if (selected.sentiment === 'none') bind('sentimentAnalyzer').toConstantValue(null);
    else if (selected.sentiment === 'afinn') {
      bindFactory(
        bind,
        'sentimentAnalyzer',
        [],
        async () => new (await import('../../../adapters/local/afinn-sentiment-analyzer.js')).AfinnSentimentAnalyzer(),
      );
    }
    if (selected.auth === 'local' && config.auth.secret) {
      const secret = config.auth.secret;
      bindFactory(bind, 'tokenVerifier', [], async () => {
        const { Hs256TokenAuthority } = await import('../../../adapters/local/hs256-token-authority.js');
        return new Hs256TokenAuthority({ secret, issuer: config.auth.issuer, audience: config.auth.audience });
      });
      bind('tokenMinter').toConstantValue(null);
    }
  });
}

function sampleCatalogPath(): string {
  const found = SAMPLE_CATALOG_CANDIDATES.find((url) => existsSync(url));
  return fileURLToPath(found ?? SAMPLE_CATALOG_CANDIDATES[0]!);
}

/** Cache failures never fail a turn (the decorators fall through), but they are worth a log line. */
function cacheErrorReporter(telemetry: Telemetry) {
  return (error: unknown, operation: 'get' | 'set') =>
    telemetry.warn('cache unavailable', { operation, error: error instanceof Error ? error.message : String(error) });
}
