import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Bindings } from '../../entrypoints/bindings.js';
import { loadConfig } from '../../entrypoints/config/config.js';
import { composeAssistant, createContainer } from '../../entrypoints/container.js';
import { createLogger } from '../../entrypoints/logger.js';

const KEYS: (keyof Bindings)[] = [
  'config', 'clock', 'telemetry', 'newId', 'conversationStore', 'userProfileStore', 'eventPublisher', 'cache', 'weatherProvider',
  'musicCatalog', 'skills', 'languageUnderstanding', 'languageModel', 'speechSynthesizer', 'speechRecognizer', 'sentimentAnalyzer',
  'tokenVerifier', 'tokenMinter', 'readiness', 'handleTurn', 'conversationService',
];

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
    const container = await createContainer(loadConfig({ DATA_DIR: await dataDir() }), { logger: createLogger('silent') });
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
      ASSISTANT_PROFILE: 'aws', AWS_REGION: 'eu-west-1', DATA_DIR: await dataDir(), COGNITO_USER_POOL_ID: 'eu-west-1_Abc123',
      COGNITO_CLIENT_ID: 'client', LEX_BOT_ID: 'BOT1234567', LEX_BOT_ALIAS_ID: 'ALIAS12345', REDIS_URL: 'redis://127.0.0.1:1', LLM_CACHE_SECONDS: '60',
    });
    const container = await createContainer(config, { logger: createLogger('silent') });
    const names: Partial<Record<keyof Bindings, string>> = {};
    for (const key of KEYS) {
      const value = await container.getAsync(key);
      expect(value, key).not.toBeUndefined();
      if (value && typeof value === 'object') names[key] = value.constructor.name;
    }
    expect(names).toMatchObject({
      conversationStore: 'DynamoDbConversationStore', userProfileStore: 'DynamoDbUserProfileStore',
      languageUnderstanding: 'LexLanguageUnderstanding', languageModel: 'CachingLanguageModel', speechSynthesizer: 'PollySpeechSynthesizer',
      speechRecognizer: 'TranscribeSpeechRecognizer', sentimentAnalyzer: 'ComprehendSentimentAnalyzer', eventPublisher: 'EventBridgeEventPublisher',
      cache: 'RedisCache', tokenVerifier: 'CognitoTokenVerifier', telemetry: 'PowertoolsTelemetry', weatherProvider: 'CachingWeatherProvider',
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
      CONVERSATION_STORE: 'dynamodb', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: endpoint, AWS_REQUEST_TIMEOUT_MS: '300', DATA_DIR: await dataDir(),
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
    const config = loadConfig({ DATA_DIR: await dataDir(), CONVERSATION_STORE: 'memory', TTS: 'none', LLM_BASE_URL: 'http://127.0.0.1:9' });
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
