import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TypedContainerModule } from '@inversifyjs/strongly-typed';
import type { Database } from 'better-sqlite3';
import { OpenMeteoWeatherProvider } from '../adapters/http/open-meteo-weather-provider.js';
import { AfinnSentimentAnalyzer } from '../adapters/local/afinn-sentiment-analyzer.js';
import { EspeakSpeechSynthesizer } from '../adapters/local/espeak-speech-synthesizer.js';
import { Hs256TokenAuthority } from '../adapters/local/hs256-token-authority.js';
import { InProcessEventPublisher } from '../adapters/local/in-process-event-publisher.js';
import { JsonMusicCatalog } from '../adapters/local/json-music-catalog.js';
import { MemoryCache } from '../adapters/local/memory-cache.js';
import { MemoryConversationStore } from '../adapters/local/memory-conversation-store.js';
import { MemoryUserProfileStore } from '../adapters/local/memory-user-profile-store.js';
import { NlpJsLanguageUnderstanding } from '../adapters/local/nlpjs-language-understanding.js';
import { OfflineLanguageModel } from '../adapters/local/offline-language-model.js';
import { OpenAiCompatibleLanguageModel } from '../adapters/local/openai-compatible-language-model.js';
import { openSqliteDatabase } from '../adapters/local/sqlite-database.js';
import { SqliteConversationStore } from '../adapters/local/sqlite-conversation-store.js';
import { SqliteUserProfileStore } from '../adapters/local/sqlite-user-profile-store.js';
import type { AppConfig } from './config/config.js';
import { loadOrCreateLocalSecret } from './config/local-secret.js';
import type { Bindings } from './bindings.js';
import { bindFactory } from './typed-factory.js';

/** Keys only the local module binds and resolves. */
export type LocalBindings = Bindings & { sqlite: Database | null; tokenAuthority: Hs256TokenAuthority };

const SAMPLE_CATALOG = fileURLToPath(new URL('../adapters/local/data/sample-catalog.json', import.meta.url));

/** The embedded default: every port served offline from this process and the data directory. */
export const localModule = new TypedContainerModule<LocalBindings>(({ bind }) => {
  bindFactory(bind, 'sqlite', ['config'], (config) => (config.adapters.conversationStore === 'sqlite' ? openSqliteDatabase(join(config.dataDir, 'assistant.db')) : null))
    .onDeactivation((db) => {
      db?.close();
    });
  bindFactory(bind, 'conversationStore', ['sqlite'], (db) => (db ? new SqliteConversationStore({ db }) : new MemoryConversationStore()));
  bindFactory(bind, 'userProfileStore', ['sqlite'], (db) => (db ? new SqliteUserProfileStore({ db }) : new MemoryUserProfileStore()));
  bindFactory(bind, 'eventPublisher', ['telemetry'], (telemetry) => new InProcessEventPublisher({ onListenerError: (error) => telemetry.error('event listener failed', { error: String(error) }) }));
  bindFactory(bind, 'cache', ['clock'], (clock) => new MemoryCache({ clock }));
  bindFactory(bind, 'weatherProvider', ['config'], (config) =>
        new OpenMeteoWeatherProvider({
          timeoutMs: config.weather.timeoutMs,
          ...(config.weather.geocodingUrl && { geocodingUrl: config.weather.geocodingUrl }),
          ...(config.weather.forecastUrl && { forecastUrl: config.weather.forecastUrl }),
        }));
  bindFactory(bind, 'musicCatalog', ['config'], (config) => loadCatalog(config));
  bindFactory(bind, 'languageUnderstanding', ['config', 'skills'], async (config, skills) =>
        NlpJsLanguageUnderstanding.create({
          training: await skills.trainingSet(config.defaults.language.split('-')[0] ?? 'en'),
          cacheDir: join(config.dataDir, 'nlu-cache'),
        }));
  bindFactory(bind, 'languageModel', ['config', 'skills'], (config, skills) =>
        config.adapters.llm === 'openai-compatible' && config.llm.baseUrl
          ? new OpenAiCompatibleLanguageModel({
              baseUrl: config.llm.baseUrl,
              model: config.llm.model,
              timeoutMs: config.llm.timeoutMs,
              ...(config.llm.apiKey && { apiKey: config.llm.apiKey }),
            })
          : new OfflineLanguageModel({ capabilities: skills.skills.map((skill) => skill.description) }));
  bindFactory(bind, 'speechSynthesizer', ['config'], (config) => (config.adapters.tts === 'espeak' ? new EspeakSpeechSynthesizer({ ...(config.tts.voice && { defaultVoice: config.tts.voice }) }) : null));
  bind('speechRecognizer').toConstantValue(null);
  bind('sentimentAnalyzer').toConstantValue(new AfinnSentimentAnalyzer());
  bindFactory(bind, 'tokenAuthority', ['config'], createLocalTokenAuthority);
  bindFactory(bind, 'tokenVerifier', ['tokenAuthority'], (authority) => authority);
  bindFactory(bind, 'tokenMinter', ['tokenAuthority'], (authority) => authority);
  bindFactory(bind, 'readiness', ['conversationStore', 'userProfileStore'], (conversations, profiles) => async () => {
        const checks: Record<string, string> = {};
        try {
          await conversations.list('__readiness__', { limit: 1 });
          await profiles.get('__readiness__');
          checks.storage = 'ok';
        } catch (error) {
          checks.storage = error instanceof Error ? error.message : String(error);
        }
        return checks;
      });
});

/** The local profile's HS256 authority, with the secret from config or the data directory. */
export async function createLocalTokenAuthority(config: AppConfig): Promise<Hs256TokenAuthority> {
  const secret = config.auth.secret ?? (await loadOrCreateLocalSecret(config.dataDir));
  return new Hs256TokenAuthority({ secret, issuer: config.auth.issuer, audience: config.auth.audience });
}

async function loadCatalog(config: AppConfig): Promise<JsonMusicCatalog> {
  const path = config.music.catalogPath ?? SAMPLE_CATALOG;
  if (path.endsWith('.json')) return JsonMusicCatalog.fromFile(path);
  return JsonMusicCatalog.fromDirectory(path, { baseUrl: config.music.baseUrl ?? `http://${config.server.host}:${config.server.port}/media/` });
}
