import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TypedContainerModule } from '@inversifyjs/strongly-typed';
import { OpenMeteoWeatherProvider } from '../../adapters/http/open-meteo-weather-provider.js';
import { AfinnSentimentAnalyzer } from '../../adapters/local/afinn-sentiment-analyzer.js';
import { EspeakSpeechSynthesizer } from '../../adapters/local/espeak-speech-synthesizer.js';
import { Hs256TokenAuthority } from '../../adapters/local/hs256-token-authority.js';
import { InProcessEventPublisher } from '../../adapters/local/in-process-event-publisher.js';
import { CachingWeatherProvider } from '../../adapters/decorators/caching-weather-provider.js';
import { JsonMusicCatalog } from '../../adapters/local/json-music-catalog.js';
import { MemoryAudioStore } from '../../adapters/local/memory-audio-store.js';
import { MemoryCache } from '../../adapters/local/memory-cache.js';
import { MemoryConversationStore } from '../../adapters/local/memory-conversation-store.js';
import { MemoryUserProfileStore } from '../../adapters/local/memory-user-profile-store.js';
import { MemoryOutboxStore } from '../../adapters/local/memory-outbox-store.js';
import { CityGazetteer } from '../../adapters/local/city-gazetteer.js';
import { NlpJsLanguageUnderstanding } from '../../adapters/local/nlpjs-language-understanding.js';
import { OfflineLanguageModel } from '../../adapters/local/offline-language-model.js';
import { OpenAiCompatibleLanguageModel } from '../../adapters/local/openai-compatible-language-model.js';
import { OutboxEventPublisher } from '../../adapters/decorators/outbox-event-publisher.js';
import { INSTALL_HINT, pocketSphinxAvailable } from '../../adapters/local/pocketsphinx-binding.js';
import { PocketSphinxSpeechRecognizer } from '../../adapters/local/pocketsphinx-speech-recognizer.js';
import type { SkillRegistry } from '../../core/skills/skill-registry.js';
import { SqliteCheckpointer } from '../../adapters/local/sqlite-checkpointer.js';
import { openSqliteDatabase, type Database } from '../../adapters/local/sqlite-database.js';
import { SqliteConversationStore } from '../../adapters/local/sqlite-conversation-store.js';
import { groupCommitOf } from '../../adapters/local/sqlite-group-commit.js';
import { SqliteOutboxStore } from '../../adapters/local/sqlite-outbox-store.js';
import { SqliteUserProfileStore } from '../../adapters/local/sqlite-user-profile-store.js';
import type { OutboxStore } from '../../adapters/shared/outbox-store.js';
import type { EventPublisher } from '../../core/ports/event-publisher.js';
import type { Telemetry } from '../../core/ports/telemetry.js';
import { boundTransport, ConfigError, required, type AppConfig } from './config.js';
import { loadOrCreateLocalSecret } from './local-secret.js';
import type { Bindings } from './bindings.js';
import { bindFactory } from './typed-factory.js';

const SAMPLE_CATALOG = fileURLToPath(new URL('../../adapters/local/data/sample-catalog.json', import.meta.url));

/**
 * The embedded default: binds every port whose selected adapter runs offline in this process (all of them in the
 * local profile; on AWS only those a per-port override keeps local, plus weather and music).
 */
export function localModule(config: AppConfig) {
  const selected = config.adapters;
  return new TypedContainerModule<Bindings>(({ bind }) => {
    if (selected.conversationStore === 'sqlite') {
      // The WAL is checkpointed by a worker thread, not inside a commit on the event loop (sqlite-checkpointer.ts).
      const checkpointers = new WeakMap<Database, SqliteCheckpointer>();
      bindFactory(bind, 'sqlite', ['config'], (cfg) => {
        const db = openSqliteDatabase(join(cfg.dataDir, 'assistant.db'));
        checkpointers.set(db, new SqliteCheckpointer(db));
        return db;
      }).onDeactivation(async (db) => {
        // Outbox removals still queued are committed, so a clean stop delivers nothing twice.
        await groupCommitOf(db)
          .flush()
          .catch(() => undefined);
        await checkpointers.get(db)?.stop();
        db.close();
      });
      bindFactory(bind, 'conversationStore', ['sqlite'], (db) => new SqliteConversationStore({ db }));
      bindFactory(bind, 'userProfileStore', ['sqlite'], (db) => new SqliteUserProfileStore({ db }));
      // The outbox table of the same file: the store writes a turn's events there in the turn's transaction.
      bindFactory(bind, 'eventOutboxStore', ['sqlite'], (db) => new SqliteOutboxStore({ db }));
    } else if (selected.conversationStore === 'memory') {
      bindFactory(bind, 'memoryOutbox', [], () => new MemoryOutboxStore());
      bindFactory(bind, 'conversationStore', ['memoryOutbox'], (outbox) => new MemoryConversationStore({ outbox }));
      bindFactory(bind, 'userProfileStore', [], () => new MemoryUserProfileStore());
      bindFactory(bind, 'eventOutboxStore', ['memoryOutbox'], (outbox) => outbox);
    }
    if (selected.events === 'none') {
      // Nothing takes events: a turn writes none (no outbox, no relay) and nothing is published.
      bind('eventTransport').toConstantValue(null);
      bind('eventPublisher').toConstantValue(null);
      bind('eventRelay').toConstantValue(null);
    } else if (selected.conversationStore === 'sqlite' || selected.conversationStore === 'memory') {
      // The relay delivers the outbox to the transport (on a timer, and at once after each turn); events written
      // with nothing else go to the transport directly and wait in the same outbox only while it is down.
      bindFactory(
        bind,
        'eventOutbox',
        ['eventOutboxStore', 'eventTransport', 'telemetry'],
        (outbox, transport, telemetry) => createEventOutbox(outbox, boundTransport(transport), telemetry),
      ).onDeactivation((relay) => {
        // unbindAll deactivates synchronously: the timer stops now; a drain in flight fails harmlessly once the file closes.
        void relay.stop();
      });
      bindFactory(bind, 'eventPublisher', ['eventOutbox'], (relay) => relay);
      bindFactory(bind, 'eventRelay', ['eventOutbox'], (relay) => relay);
    }
    if (selected.events === 'in-process') {
      bindFactory(
        bind,
        'eventTransport',
        ['telemetry'],
        (telemetry) =>
          new InProcessEventPublisher({
            onListenerError: (error) => telemetry.error('event listener failed', { error: String(error) }),
          }),
      );
    }
    if (selected.cache === 'memory') bindFactory(bind, 'cache', ['clock'], (clock) => new MemoryCache({ clock }));
    bindFactory(bind, 'weatherProvider', ['config', 'cache', 'telemetry'], (cfg, cache, telemetry) => {
      const inner = new OpenMeteoWeatherProvider({
        timeoutMs: cfg.weather.timeoutMs,
        ...(cfg.weather.geocodingUrl && { geocodingUrl: cfg.weather.geocodingUrl }),
        ...(cfg.weather.forecastUrl && { forecastUrl: cfg.weather.forecastUrl }),
      });
      if (cfg.cache.weatherSeconds === 0) return inner;
      return new CachingWeatherProvider({
        inner,
        cache,
        ttlSeconds: cfg.cache.weatherSeconds,
        onCacheError: cacheErrorReporter(telemetry),
      });
    });
    bindFactory(bind, 'musicCatalog', ['config'], (cfg) => loadCatalog(cfg));
    // Turn records name audio instead of carrying it; in one process the clips wait in memory for a few seconds.
    if (selected.audioStore === 'memory')
      bindFactory(bind, 'audioStore', ['clock'], (clock) => new MemoryAudioStore({ clock }));
    if (!config.aws.workflow) bind('turnWorkflow').toConstantValue(null);
    if (selected.nlu === 'nlpjs') {
      bindFactory(bind, 'languageUnderstanding', ['config', 'skills'], async (cfg, skills) =>
        NlpJsLanguageUnderstanding.create({
          training: await skills.trainingSet(cfg.defaults.language.split('-')[0] ?? 'en'),
          cacheDir: join(cfg.dataDir, 'nlu-cache'),
          threshold: cfg.nlu.confidenceThreshold,
          // Loaded in the background: the server listens meanwhile, and the first question naming a place waits for it.
          gazetteer: () => CityGazetteer.load(),
        }),
      );
    }
    if (selected.llm === 'openai-compatible') {
      bindFactory(
        bind,
        'languageModel',
        ['config'],
        (cfg) =>
          new OpenAiCompatibleLanguageModel({
            baseUrl: required(cfg.llm.baseUrl, 'LLM_BASE_URL'),
            model: cfg.llm.model,
            timeoutMs: cfg.llm.timeoutMs,
            ...(cfg.llm.apiKey && { apiKey: cfg.llm.apiKey }),
          }),
      );
    } else if (selected.llm === 'offline') {
      bindFactory(
        bind,
        'languageModel',
        ['skills'],
        (skills) => new OfflineLanguageModel({ capabilities: skills.skills.map((skill) => skill.description) }),
      );
    }
    if (selected.tts === 'espeak') {
      bindFactory(
        bind,
        'speechSynthesizer',
        ['config'],
        (cfg) => new EspeakSpeechSynthesizer({ ...(cfg.tts.voice && { defaultVoice: cfg.tts.voice }) }),
      );
    } else if (selected.tts === 'none') {
      bind('speechSynthesizer').toConstantValue(null);
    }
    if (selected.stt === 'pocketsphinx') {
      bindFactory(bind, 'speechRecognizer', ['config', 'skills', 'telemetry'], (cfg, skills, telemetry) =>
        createPocketSphinx(cfg, skills, telemetry),
      ).onDeactivation(async (recognizer) => {
        await (recognizer as PocketSphinxSpeechRecognizer | null)?.dispose();
      });
    } else if (selected.stt === 'none') bind('speechRecognizer').toConstantValue(null);
    if (selected.sentiment === 'afinn') bind('sentimentAnalyzer').toConstantValue(new AfinnSentimentAnalyzer());
    else if (selected.sentiment === 'none') bind('sentimentAnalyzer').toConstantValue(null);
    if (selected.auth === 'local') {
      bindFactory(bind, 'tokenAuthority', ['config'], createLocalTokenAuthority);
      bindFactory(bind, 'tokenVerifier', ['tokenAuthority'], (authority) => authority);
      bindFactory(bind, 'tokenMinter', ['tokenAuthority'], (authority) => authority);
    }
  });
}

/**
 * PocketSphinx with a grammar of the registered skills, when Debian's pocketsphinx is installed. As the local profile's
 * default it turns voice input off when the library is missing (audio turns then answer 501) and says once how to
 * turn it on; chosen explicitly (`STT=pocketsphinx`), a missing library stops the start.
 */
export async function createPocketSphinx(
  config: AppConfig,
  skills: SkillRegistry,
  telemetry: Telemetry,
  check: typeof pocketSphinxAvailable = pocketSphinxAvailable,
): Promise<PocketSphinxSpeechRecognizer | null> {
  const available = check();
  if (!available.ok) {
    if (config.stt.explicit) throw new ConfigError([`STT=pocketsphinx: ${available.reason}; install: ${INSTALL_HINT}`]);
    telemetry.warn(`voice input is off: speech recognition needs PocketSphinx. Enable it: ${INSTALL_HINT}`, {
      reason: available.reason,
    });
    return null;
  }
  return PocketSphinxSpeechRecognizer.create({
    training: await skills.trainingSet(config.defaults.language.split('-')[0] ?? 'en'),
    maxSeconds: config.limits.audioMaxSeconds,
  });
}

/** The outbox's relay to the transport, retrying on its own until the container is unbound. */
function createEventOutbox(outbox: OutboxStore, inner: EventPublisher, telemetry: Telemetry): OutboxEventPublisher {
  const relay = new OutboxEventPublisher({ inner, outbox, telemetry });
  relay.start();
  return relay;
}

/** Cache failures never fail a turn (the decorators fall through), but they are worth a log line. */
export function cacheErrorReporter(telemetry: Telemetry) {
  return (error: unknown, operation: 'get' | 'set') =>
    telemetry.warn('cache unavailable', { operation, error: error instanceof Error ? error.message : String(error) });
}

/** The local profile's HS256 authority, with the secret from config or the data directory. */
export async function createLocalTokenAuthority(config: AppConfig): Promise<Hs256TokenAuthority> {
  const secret = config.auth.secret ?? (await loadOrCreateLocalSecret(config.dataDir));
  return new Hs256TokenAuthority({ secret, issuer: config.auth.issuer, audience: config.auth.audience });
}

async function loadCatalog(config: AppConfig): Promise<JsonMusicCatalog> {
  const path = config.music.catalogPath ?? SAMPLE_CATALOG;
  if (path.endsWith('.json')) return JsonMusicCatalog.fromFile(path);
  return JsonMusicCatalog.fromDirectory(path, {
    baseUrl: config.music.baseUrl ?? `http://${config.server.host}:${config.server.port}/media/`,
  });
}
