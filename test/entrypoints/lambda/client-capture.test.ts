import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Bindings } from '../../../entrypoints/composition/bindings.js';
import { eventConsumerDeps } from '../../../entrypoints/lambda/events/compose-event-consumer.js';
import { createLambdaContainer } from '../../../entrypoints/lambda/shared/lambda-container.js';
import { loadLambdaConfig, parameterStoreClients } from '../../../entrypoints/lambda/shared/lambda-config.js';
import { createObservability } from '../../../entrypoints/lambda/shared/observability.js';

/** The middleware `tracer.captureAWSv3Client` adds (the X-Ray SDK's): one subsegment per call. */
const XRAY_MIDDLEWARE = 'XRaySDKInstrumentation';

/** Every AWS service a turn can use, selected at once. */
const ALL_AWS = {
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'api',
  AUTH: 'local',
  AUTH_SECRET: 'z'.repeat(40),
  NLU: 'lex',
  LEX_BOT_ID: 'BOTID12345',
  LEX_BOT_ALIAS_ID: 'ALIAS12345',
  LLM: 'bedrock',
  TTS: 'polly',
  SENTIMENT: 'comprehend',
  EVENTS: 'eventbridge',
  AUDIO_BUCKET: 'voice-assistant-audio',
  WORKFLOW_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:turn',
};

/** The bindings whose adapter talks to an AWS service through an SDK client. */
const SDK_BINDINGS: (keyof Bindings)[] = [
  'conversationStore',
  'userProfileStore',
  'languageUnderstanding',
  'languageModel',
  'speechSynthesizer',
  'speechRecognizer',
  'sentimentAnalyzer',
  'eventPublisher',
  'audioStore',
  'turnWorkflow',
];

interface SdkClient {
  send: unknown;
  middlewareStack: { identify(): string[] };
}
const isSdkClient = (value: unknown): value is SdkClient =>
  typeof value === 'object' && value !== null && 'middlewareStack' in value && 'send' in value;
/** The SDK clients an adapter holds (its own fields, as the adapters keep them). */
const sdkClientsOf = (adapter: unknown): SdkClient[] => Object.values(adapter ?? {}).filter(isSdkClient);
const traced = (client: SdkClient) => client.middlewareStack.identify().some((m) => m.startsWith(XRAY_MIDDLEWARE));

const OPTIONS = { serviceName: 'Nova', namespace: 'Test', functionName: 'api' };

describe('Lambda SDK clients and the tracer', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'client-capture-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });
  // Tracing switched on the way Lambda does it: the runtime sets AWS_EXECUTION_ENV.
  beforeEach(() => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs22.x');
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'true');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each(['transcribe', 'lex'])(
    'every client factory of the composition (STT=%s) hands its adapter a client the tracer captured, on first use',
    async (stt) => {
      // Prepare
      const config = await loadLambdaConfig({ ...ALL_AWS, STT: stt, DATA_DIR: dataDir });
      const observability = await createObservability(OPTIONS);
      expect(observability.tracer?.isTracingEnabled()).toBe(true);
      const captured = new Set<unknown>();
      const capture = <C>(client: C): C => {
        captured.add(client);
        return observability.captureClient(client);
      };
      // Act
      const container = await createLambdaContainer(config, observability.telemetry, capture);
      try {
        // Assess: nothing is created before a binding is resolved.
        expect(captured.size).toBe(0);
        const names = new Set<string>();
        for (const key of SDK_BINDINGS) {
          const clients = sdkClientsOf(await container.getAsync(key));
          expect(clients.length, `${key} holds an SDK client`).toBeGreaterThan(0);
          for (const client of clients) {
            expect(captured.has(client), `${key}: ${client.constructor.name} went through captureClient`).toBe(true);
            expect(traced(client), `${key}: ${client.constructor.name} carries the X-Ray middleware`).toBe(true);
            names.add(client.constructor.name);
          }
        }
        expect([...names].sort()).toEqual(
          [
            'BedrockRuntimeClient',
            'ComprehendClient',
            'DynamoDBDocumentClient',
            'EventBridgeClient',
            'LexRuntimeV2Client',
            'PollyClient',
            'S3Client',
            'SFNClient',
            ...(stt === 'transcribe' ? ['TranscribeStreamingClient'] : []),
          ].sort(),
        );
      } finally {
        await container.unbindAllAsync();
      }
    },
    60_000,
  );

  it("captures the event consumer's SNS client and the idempotency layer's DynamoDB client", async () => {
    const config = await loadLambdaConfig(
      { AWS_REGION: 'us-east-1', ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts' },
      { alertTopic: true, runsTurns: false },
    );
    const deps = await eventConsumerDeps(config, await createObservability(OPTIONS));
    const clients = [...sdkClientsOf(deps.alerting), ...sdkClientsOf(deps.persistenceStore)];
    expect(clients.map((client) => client.constructor.name).sort()).toEqual(['DynamoDBClient', 'SNSClient']);
    for (const client of clients) expect(traced(client), client.constructor.name).toBe(true);
  });

  it('captures the Parameter Store and Secrets Manager clients of the config, made only for a store it names', async () => {
    const { captureClient } = await createObservability(OPTIONS);
    const both = await parameterStoreClients(
      { parametersPath: '/voice-assistant/prod', secretIds: { LLM_API_KEY: 'voice-assistant/llm' } },
      captureClient,
    );
    expect(Object.keys(both).sort()).toEqual(['secretsClient', 'ssmClient']);
    for (const client of Object.values(both)) expect(traced(client as SdkClient)).toBe(true);
    expect(await parameterStoreClients({}, captureClient)).toEqual({});
  });

  it('loads no tracer and wraps nothing when tracing is off', async () => {
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'false');
    const observability = await createObservability(OPTIONS);
    expect(observability.tracer).toBeUndefined();
    const config = await loadLambdaConfig({ ...ALL_AWS, STT: 'transcribe', DATA_DIR: dataDir });
    const container = await createLambdaContainer(config, observability.telemetry, observability.captureClient);
    try {
      const [client] = sdkClientsOf(await container.getAsync('languageModel'));
      expect(client && traced(client)).toBe(false);
    } finally {
      await container.unbindAllAsync();
    }
  });
});
