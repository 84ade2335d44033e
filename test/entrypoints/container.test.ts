import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TypedContainer } from '@inversifyjs/strongly-typed';
import type { Bindings } from '../../entrypoints/composition/bindings.js';
import {
  adapterChoices,
  PORTS,
  PROFILES,
  PROFILE_DEFAULTS,
  type AdapterChoice,
  type AdapterSelection,
  type Port,
  type Profile,
} from '../../entrypoints/composition/choices.js';
import { loadConfig } from '../../entrypoints/composition/config.js';
import { composeAssistant, createContainer } from '../../entrypoints/composition/container.js';
import { createLogger } from '../../entrypoints/composition/logger.js';

/** Every key of the binding map: bound by every configuration, or only when a chosen adapter needs it. */
const BINDING_KEYS: Record<keyof Bindings, 'always' | 'when-chosen'> = {
  config: 'always',
  clock: 'always',
  telemetry: 'always',
  newId: 'always',
  conversationStore: 'always',
  userProfileStore: 'always',
  eventPublisher: 'always',
  eventTransport: 'always',
  eventRelay: 'always',
  cache: 'always',
  weatherProvider: 'always',
  musicCatalog: 'always',
  skills: 'always',
  languageUnderstanding: 'always',
  languageModel: 'always',
  speechSynthesizer: 'always',
  speechRecognizer: 'always',
  sentimentAnalyzer: 'always',
  tokenVerifier: 'always',
  tokenMinter: 'always',
  readiness: 'always',
  handleTurn: 'always',
  conversationService: 'always',
  audioStore: 'always',
  turnDeps: 'always',
  turnWorkflow: 'always',
  sqlite: 'when-chosen',
  tokenAuthority: 'when-chosen',
  eventOutbox: 'when-chosen',
  eventOutboxStore: 'when-chosen',
  memoryOutbox: 'when-chosen',
  dynamoDb: 'when-chosen',
  redis: 'when-chosen',
};
const KEYS = Object.entries(BINDING_KEYS)
  .filter(([, when]) => when === 'always')
  .map(([key]) => key as keyof Bindings);

/** The binding each port's adapter is bound to, the variable that overrides it, and the class each choice binds. */
const PORT_BINDINGS: {
  [P in Port]: { key: keyof Bindings; variable: string; classes: Record<AdapterChoice<P>, string | null> };
} = {
  conversationStore: {
    key: 'conversationStore',
    variable: 'CONVERSATION_STORE',
    classes: {
      memory: 'MemoryConversationStore',
      sqlite: 'SqliteConversationStore',
      dynamodb: 'DynamoDbConversationStore',
    },
  },
  nlu: {
    key: 'languageUnderstanding',
    variable: 'NLU',
    classes: { nlpjs: 'NlpJsLanguageUnderstanding', lex: 'LexLanguageUnderstanding' },
  },
  llm: {
    key: 'languageModel',
    variable: 'LLM',
    classes: {
      'openai-compatible': 'OpenAiCompatibleLanguageModel',
      offline: 'OfflineLanguageModel',
      bedrock: 'BedrockLanguageModel',
    },
  },
  tts: {
    key: 'speechSynthesizer',
    variable: 'TTS',
    classes: { espeak: 'EspeakSpeechSynthesizer', polly: 'PollySpeechSynthesizer', none: null },
  },
  stt: {
    key: 'speechRecognizer',
    variable: 'STT',
    classes: {
      pocketsphinx: 'PocketSphinxSpeechRecognizer',
      transcribe: 'TranscribeSpeechRecognizer',
      lex: 'LexSpeechRecognizer',
      none: null,
    },
  },
  sentiment: {
    key: 'sentimentAnalyzer',
    variable: 'SENTIMENT',
    classes: { afinn: 'AfinnSentimentAnalyzer', comprehend: 'ComprehendSentimentAnalyzer', none: null },
  },
  events: {
    key: 'eventTransport',
    variable: 'EVENTS',
    classes: { 'in-process': 'InProcessEventPublisher', eventbridge: 'EventBridgeEventPublisher', none: null },
  },
  cache: { key: 'cache', variable: 'CACHE', classes: { memory: 'MemoryCache', redis: 'RedisCache' } },
  auth: {
    key: 'tokenVerifier',
    variable: 'AUTH',
    classes: { local: 'Hs256TokenAuthority', cognito: 'CognitoTokenVerifier' },
  },
  audioStore: {
    key: 'audioStore',
    variable: 'AUDIO_STORE',
    classes: { memory: 'MemoryAudioStore', s3: 'S3AudioStore' },
  },
};

/** What the AWS adapters need to be built (none of them is called): a region, the Lex bot, the Cognito pool. */
const AWS_SETTINGS = {
  AWS_REGION: 'eu-west-1',
  LEX_BOT_ID: 'BOT1234567',
  LEX_BOT_ALIAS_ID: 'ALIAS12345',
  COGNITO_USER_POOL_ID: 'eu-west-1_Abc123',
  COGNITO_CLIENT_ID: 'client',
};
/** Settings a choice needs and that would otherwise change other ports' defaults, so they are set only for it. */
const CHOICE_SETTINGS: Partial<Record<string, Record<string, string>>> = {
  'llm=openai-compatible': { LLM_BASE_URL: 'http://127.0.0.1:9' },
  'cache=redis': { REDIS_URL: 'redis://127.0.0.1:1' },
  'audioStore=s3': { AUDIO_BUCKET: 'assistant-audio' },
};

function defaultClass<P extends Port>(profile: Profile, port: P): string | null {
  const defaults: AdapterSelection = PROFILE_DEFAULTS[profile];
  return PORT_BINDINGS[port].classes[defaults[port]];
}

function choiceCases<P extends Port>(profile: Profile, port: P) {
  const { key, variable, classes } = PORT_BINDINGS[port];
  return adapterChoices(port).map((choice) => ({ profile, port, choice, key, variable, expected: classes[choice] }));
}

/** Every bound key resolves; every key every configuration needs is bound. */
async function expectEveryBindingResolves(container: TypedContainer<Bindings>) {
  for (const [key, when] of Object.entries(BINDING_KEYS) as [keyof Bindings, 'always' | 'when-chosen'][]) {
    if (when === 'always') expect(container.isBound(key), key).toBe(true);
    if (container.isBound(key)) await expect(container.getAsync(key), key).resolves.not.toBeUndefined();
  }
}

describe('composition root: every profile and every adapter choice', () => {
  let dataDir: string;
  beforeAll(async () => {
    // Shared, so nlp.js trains once and later containers load its cached model.
    dataDir = await mkdtemp(join(tmpdir(), 'assistant-choices-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each(PROFILES)(
    "binds the %s profile's default adapter to every port and resolves every binding",
    async (profile) => {
      const container = await createContainer(
        loadConfig({ ASSISTANT_PROFILE: profile, ...AWS_SETTINGS, NLU: 'nlpjs', DATA_DIR: dataDir }),
        {
          logger: createLogger('silent'),
        },
      );
      try {
        await expectEveryBindingResolves(container);
        for (const port of PORTS) {
          const value = await container.getAsync(PORT_BINDINGS[port].key);
          expect(value && typeof value === 'object' ? value.constructor.name : value, `${port} in ${profile}`).toBe(
            defaultClass(profile, port),
          );
        }
      } finally {
        await container.unbindAllAsync();
      }
    },
  );

  it.each(PROFILES.flatMap((profile) => PORTS.flatMap((port) => choiceCases(profile, port))))(
    '$profile profile with $variable=$choice binds $expected and resolves every binding',
    async ({ profile, port, choice, key, variable, expected }) => {
      const env = {
        ASSISTANT_PROFILE: profile,
        ...AWS_SETTINGS,
        ...CHOICE_SETTINGS[`${String(port)}=${String(choice)}`],
        [variable]: choice,
        DATA_DIR: dataDir,
      };
      const container = await createContainer(loadConfig(env), { logger: createLogger('silent') });
      try {
        await expect(container.getAsync('config')).resolves.toMatchObject({ adapters: { [port]: choice } });
        await expectEveryBindingResolves(container);
        const value = await container.getAsync(key);
        expect(value && typeof value === 'object' ? value.constructor.name : value).toBe(expected);
      } finally {
        await container.unbindAllAsync();
      }
    },
  );
});

describe('binding overrides', () => {
  it("bind a value in place of the module's binding, and what depends on it gets the value", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'assistant-overrides-'));
    const weather = { lookup: async () => Promise.reject(new Error('not asked')) };

    // Act
    const container = await createContainer(loadConfig({ DATA_DIR: dir, CONVERSATION_STORE: 'memory' }), {
      logger: createLogger('silent'),
      overrides: { weatherProvider: weather, speechSynthesizer: null },
    });

    // Assess
    try {
      expect(await container.getAsync('weatherProvider')).toBe(weather);
      expect(await container.getAsync('speechSynthesizer')).toBeNull();
      expect((await container.getAsync('skills')).skills.map((skill) => skill.name)).toContain('weather');
    } finally {
      await container.unbindAllAsync();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('local composition root', () => {
  const dirs: string[] = [];
  const dataDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assistant-container-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('resolves every binding of the local profile', async () => {
    const container = await createContainer(loadConfig({ DATA_DIR: await dataDir() }), {
      logger: createLogger('silent'),
    });
    for (const key of KEYS) {
      expect(container.isBound(key), key).toBe(true);
      await expect(container.getAsync(key), key).resolves.not.toBeUndefined();
    }
    expect((await container.getAsync('conversationStore')).capabilities.durable).toBe(true);
    expect((await container.getAsync('languageModel')).capabilities.answersOpenQuestions).toBe(false);
    await container.unbindAllAsync();
  });

  it('resolves every binding of the aws profile to its AWS adapter without calling AWS', async () => {
    const config = loadConfig({
      ASSISTANT_PROFILE: 'aws',
      AWS_REGION: 'eu-west-1',
      DATA_DIR: await dataDir(),
      COGNITO_USER_POOL_ID: 'eu-west-1_Abc123',
      COGNITO_CLIENT_ID: 'client',
      LEX_BOT_ID: 'BOT1234567',
      LEX_BOT_ALIAS_ID: 'ALIAS12345',
      REDIS_URL: 'redis://127.0.0.1:1',
      LLM_CACHE_SECONDS: '60',
    });
    const container = await createContainer(config, { logger: createLogger('silent') });
    const names: Partial<Record<keyof Bindings, string>> = {};
    for (const key of KEYS) {
      const value = await container.getAsync(key);
      expect(value, key).not.toBeUndefined();
      if (value && typeof value === 'object') names[key] = value.constructor.name;
    }
    expect(names).toMatchObject({
      conversationStore: 'DynamoDbConversationStore',
      userProfileStore: 'DynamoDbUserProfileStore',
      languageUnderstanding: 'LexLanguageUnderstanding',
      languageModel: 'CachingLanguageModel',
      speechSynthesizer: 'PollySpeechSynthesizer',
      speechRecognizer: 'TranscribeSpeechRecognizer',
      sentimentAnalyzer: 'ComprehendSentimentAnalyzer',
      eventPublisher: 'EventBridgeEventPublisher',
      cache: 'RedisCache',
      tokenVerifier: 'CognitoTokenVerifier',
      telemetry: 'PowertoolsTelemetry',
      weatherProvider: 'CachingWeatherProvider',
    });
    expect(await container.getAsync('tokenMinter')).toBeNull();
    await container.unbindAllAsync();
  });

  it('fails a call to a DynamoDB that accepts connections but never answers, retryably, within the request timeout', async () => {
    // Prepare
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const config = loadConfig({
      CONVERSATION_STORE: 'dynamodb',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: endpoint,
      AWS_REQUEST_TIMEOUT_MS: '300',
      DATA_DIR: await dataDir(),
    });
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret');
    const container = await createContainer(config, { logger: createLogger('silent') });
    try {
      // Act
      const attempt = (await container.getAsync('conversationStore')).get({ userId: 'u1', conversationId: 'c1' });

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', retryable: true });
    } finally {
      await container.unbindAllAsync();
      vi.unstubAllEnvs();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('honours per-port overrides from config', async () => {
    const config = loadConfig({
      DATA_DIR: await dataDir(),
      CONVERSATION_STORE: 'memory',
      TTS: 'none',
      LLM_BASE_URL: 'http://127.0.0.1:9',
    });
    const container = await createContainer(config, { logger: createLogger('silent') });
    expect((await container.getAsync('conversationStore')).capabilities.durable).toBe(false);
    expect(await container.getAsync('speechSynthesizer')).toBeNull();
    expect((await container.getAsync('languageModel')).capabilities.answersOpenQuestions).toBe(true);
    await container.unbindAllAsync();
  });

  it('generates the local signing secret once, private to the owner, and tokens it mints verify', async () => {
    const dir = await dataDir();
    const first = await composeAssistant(loadConfig({ DATA_DIR: dir }), { logger: createLogger('silent') });
    const secret = await readFile(join(dir, 'auth-secret'), 'utf8');
    expect(secret.trim().length).toBeGreaterThanOrEqual(43);
    expect((await stat(join(dir, 'auth-secret'))).mode & 0o077).toBe(0);
    const token = await first.minter!.mint({ userId: 'alice', ttlSeconds: 60 });
    await first.close();
    const second = await composeAssistant(loadConfig({ DATA_DIR: dir }), { logger: createLogger('silent') });
    await expect(second.verifier.verify({ token })).resolves.toMatchObject({ userId: 'alice' });
    expect(await readFile(join(dir, 'auth-secret'), 'utf8')).toBe(secret);
    await second.close();
  });
});
