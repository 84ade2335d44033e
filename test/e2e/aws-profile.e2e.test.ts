import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../entrypoints/composition/config.js';
import { composeAssistant, type Assistant } from '../../entrypoints/composition/container.js';
import { buildApp } from '../../entrypoints/http/app.js';
import { appOptionsFor } from '../../entrypoints/http/app-options.js';
import { createLogger } from '../../entrypoints/composition/logger.js';
import { startBedrockRuntimeFake, type BedrockRuntimeFake } from '../fakes/aws/bedrock-runtime-fake.js';
import { startComprehendFake } from '../fakes/aws/comprehend-fake.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../fakes/aws/dynamodb-local.js';
import { createTestTable, type TestTable } from '../fakes/aws/dynamodb-test-table.js';
import { startEventBridgeFake, type EventBridgeFake } from '../fakes/aws/eventbridge-fake.js';
import { EventPipeFake } from '../fakes/aws/event-pipe-fake.js';
import type { FakeAwsServer } from '../fakes/aws/fake-aws-server.js';
import { startPollyFake, type PollyFake } from '../fakes/aws/polly-fake.js';
import { startOpenMeteoServer } from '../fakes/open-meteo-server.js';

/**
 * The aws profile wired by the real composition root — DynamoDB (DynamoDB Local), Bedrock, Polly, Comprehend and
 * EventBridge (wire-level stand-ins) — holding a conversation over the HTTP app. Endpoints reach the SDK through
 * its own service-specific variables (AWS_ENDPOINT_URL_<SERVICE>), exactly as a deployment would point at LocalStack.
 * Auth stays local here: the Cognito verifier has its own contract suite against cognito-local.
 */
describe('aws profile end to end against stand-ins', () => {
  let dynamo: DynamoDbLocal;
  let table: TestTable;
  let bedrock: BedrockRuntimeFake;
  let polly: PollyFake;
  let comprehend: FakeAwsServer;
  let events: EventBridgeFake;
  let weather: Awaited<ReturnType<typeof startOpenMeteoServer>>;
  let assistant: Assistant;
  let dataDir: string;

  beforeAll(async () => {
    [dynamo, bedrock, polly, comprehend, events, weather] = await Promise.all([
      startDynamoDbLocal(),
      startBedrockRuntimeFake(),
      startPollyFake(),
      startComprehendFake(),
      startEventBridgeFake(),
      startOpenMeteoServer(),
    ]);
    table = await createTestTable(dynamo.endpoint);
    dataDir = await mkdtemp(join(tmpdir(), 'assistant-aws-'));
    // EMF lines would flood the test output; the telemetry adapter has its own tests that read them.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret');
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint);
    vi.stubEnv('AWS_ENDPOINT_URL_BEDROCK_RUNTIME', bedrock.url);
    vi.stubEnv('AWS_ENDPOINT_URL_POLLY', polly.url);
    vi.stubEnv('AWS_ENDPOINT_URL_COMPREHEND', comprehend.url);
    vi.stubEnv('AWS_ENDPOINT_URL_EVENTBRIDGE', events.url);
    const config = loadConfig({
      ASSISTANT_PROFILE: 'aws',
      AWS_REGION: 'us-east-1',
      DYNAMODB_TABLE: table.tableName,
      EVENT_BUS_NAME: 'assistant-bus',
      AUTH: 'local',
      STT: 'none',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      WEATHER_GEOCODING_URL: weather.url,
      WEATHER_FORECAST_URL: weather.url,
    });
    assistant = await composeAssistant(config, { logger: createLogger('silent') });
  }, 60_000);

  afterAll(async () => {
    await assistant?.close();
    vi.unstubAllEnvs();
    await table?.drop();
    await Promise.all([
      dynamo?.stop(),
      bedrock?.close(),
      polly?.close(),
      comprehend?.close(),
      events?.close(),
      weather?.close(),
    ]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('stores turns in DynamoDB, asks Bedrock, speaks with Polly, scores with Comprehend and publishes to EventBridge', async () => {
    // Prepare
    const app = await buildApp({ ...appOptionsFor(assistant), rateLimit: false });
    const token = await assistant.minter!.mint({ userId: 'carol', ttlSeconds: 300 });
    const call = async (method: 'GET' | 'POST', url: string, payload?: object) => {
      const response = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload && { payload }),
      });
      expect(response.statusCode, response.body).toBeLessThan(300);
      return response.json();
    };
    bedrock.setReply(() => 'Mount Everest is the tallest mountain on Earth.');

    // Act
    const { id } = await call('POST', '/v1/conversations', {});
    const greeting = await call('POST', `/v1/conversations/${id}/turns`, { text: 'good morning' });
    const asked = await call('POST', `/v1/conversations/${id}/turns`, { text: "what's the weather" });
    const answered = await call('POST', `/v1/conversations/${id}/turns`, { text: 'Tokyo', speech: { format: 'mp3' } });
    const open = await call('POST', `/v1/conversations/${id}/turns`, {
      text: 'what is the tallest mountain in the world',
    });
    const history = await call('GET', `/v1/conversations/${id}/turns?limit=50`);
    await app.close();

    // Assess
    expect(greeting).toMatchObject({ skill: 'small-talk' });
    expect(asked).toMatchObject({ route: 'ask', text: 'For which city?' });
    expect(answered).toMatchObject({
      skill: 'weather',
      slots: { city: 'Tokyo' },
      audio: { format: 'mp3', mimeType: 'audio/mpeg' },
    });
    expect(polly.calls.at(-1)).toMatchObject({ body: { VoiceId: 'Joanna', Engine: 'neural', OutputFormat: 'mp3' } });
    expect(open).toMatchObject({ route: 'llm', text: 'Mount Everest is the tallest mountain on Earth.' });
    const converse = bedrock.calls.at(-1);
    expect(converse?.modelId).toBe('anthropic.claude-3-haiku-20240307-v1:0');
    expect(converse?.body.messages?.at(-1)).toEqual({
      role: 'user',
      content: [{ text: 'what is the tallest mountain in the world' }],
    });
    expect(converse?.body.messages?.[0]?.role).toBe('user');
    expect(history.items).toHaveLength(8);
    expect(history.items[0]).toMatchObject({ role: 'user', text: 'good morning', sentiment: { label: 'neutral' } });
    expect(
      comprehend.requests.filter((request) => request.target === 'Comprehend_20171127.DetectSentiment'),
    ).toHaveLength(4);
    const scan = await table.client.send(
      new (await import('@aws-sdk/lib-dynamodb')).ScanCommand({ TableName: table.tableName }),
    );
    expect(scan.Items?.filter((item) => String(item.sk).startsWith('TURN#'))).toHaveLength(8);
    // The turns' events are items of their transactions; on AWS the stream's Pipe puts them on the bus.
    expect(scan.Items?.filter((item) => item.type === 'event')).toHaveLength(8);
    const pipe = EventPipeFake.toEventBridge(table.client, table.tableName, {
      endpoint: events.url,
      eventBusName: 'assistant-bus',
    });
    await expect(pipe.deliverPending()).resolves.toBe(true);
    await vi.waitFor(() =>
      expect(
        events
          .events()
          .filter((event) => event.conversationId === id)
          .map((event) => event.type),
      ).toEqual([
        'SessionStarted',
        'UserInteraction',
        'AssistantReplied',
        'UserInteraction',
        'AssistantReplied',
        'UserInteraction',
        'AssistantReplied',
        'UserInteraction',
        'AssistantReplied',
      ]),
    );
    expect(
      events.published.every((entry) => entry.EventBusName === 'assistant-bus' && entry.Source === 'voice-assistant'),
    ).toBe(true);
  }, 60_000);
});
