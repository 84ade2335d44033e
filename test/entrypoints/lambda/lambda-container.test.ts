import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bindings } from '../../../entrypoints/composition/bindings.js';
import { createLambdaContainer } from '../../../entrypoints/lambda/shared/lambda-container.js';
import { loadLambdaConfig } from '../../../entrypoints/lambda/shared/lambda-config.js';
import { createObservability } from '../../../entrypoints/lambda/shared/observability.js';

const KEYS: (keyof Bindings)[] = [
  'config',
  'clock',
  'telemetry',
  'newId',
  'conversationStore',
  'userProfileStore',
  'eventPublisher',
  'cache',
  'weatherProvider',
  'musicCatalog',
  'skills',
  'languageUnderstanding',
  'languageModel',
  'speechSynthesizer',
  'speechRecognizer',
  'sentimentAnalyzer',
  'tokenVerifier',
  'tokenMinter',
  'readiness',
  'handleTurn',
  'conversationService',
];

/** The API function's composition root resolves every binding, for each auth choice, without calling AWS. */
describe('Lambda composition root', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lambda-container-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it.each([
    { auth: 'local', env: { AUTH: 'local', AUTH_SECRET: 'y'.repeat(40) }, verifier: 'Hs256TokenAuthority' },
    {
      auth: 'cognito',
      env: { COGNITO_USER_POOL_ID: 'us-east-1_abcdEFGHI', COGNITO_CLIENT_ID: 'client123' },
      verifier: 'CognitoTokenVerifier',
    },
  ])(
    'resolves every binding of the aws profile with $auth auth to the adapters a bundle carries',
    async ({ env, verifier }) => {
      // Prepare
      const config = await loadLambdaConfig({
        AWS_REGION: 'us-east-1',
        DATA_DIR: dataDir,
        AWS_LAMBDA_FUNCTION_NAME: 'api',
        ...env,
      });
      const observability = await createObservability({ serviceName: 'Nova', namespace: 'Test', functionName: 'api' });
      // Act
      const container = await createLambdaContainer(config, observability.telemetry);
      // Assess
      try {
        for (const key of KEYS) await expect(container.getAsync(key), key).resolves.not.toBeUndefined();
        const names = Object.fromEntries(
          await Promise.all(
            (
              [
                'conversationStore',
                'eventPublisher',
                'languageModel',
                'speechSynthesizer',
                'speechRecognizer',
                'sentimentAnalyzer',
                'tokenVerifier',
                'cache',
              ] as const
            ).map(async (key) => [key, (await container.getAsync(key))?.constructor.name]),
          ),
        );
        expect(names).toEqual({
          conversationStore: 'DynamoDbConversationStore',
          eventPublisher: 'EventBridgeEventPublisher',
          languageModel: 'BedrockLanguageModel',
          speechSynthesizer: 'PollySpeechSynthesizer',
          speechRecognizer: 'TranscribeSpeechRecognizer',
          sentimentAnalyzer: 'ComprehendSentimentAnalyzer',
          tokenVerifier: verifier,
          cache: 'MemoryCache',
        });
        expect(await container.getAsync('telemetry')).toBe(observability.telemetry);
      } finally {
        await container.unbindAllAsync();
      }
    },
    60_000,
  );
});
