import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Hs256TokenAuthority } from '../../adapters/local/hs256-token-authority.js';
import { API_HELMET_OPTIONS } from '../../entrypoints/http/app.js';
import { helmetHeaders } from '../../entrypoints/http/plugins/security-headers.js';
import { startBedrockRuntimeFake, type BedrockRuntimeFake } from '../fakes/aws/bedrock-runtime-fake.js';
import { startComprehendFake } from '../fakes/aws/comprehend-fake.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../fakes/aws/dynamodb-local.js';
import { createTestTable, type TestTable } from '../fakes/aws/dynamodb-test-table.js';
import { EventPipeFake } from '../fakes/aws/event-pipe-fake.js';
import { startEventBridgeFake, type EventBridgeFake } from '../fakes/aws/eventbridge-fake.js';
import type { FakeAwsServer } from '../fakes/aws/fake-aws-server.js';
import { startPollyFake, type PollyFake } from '../fakes/aws/polly-fake.js';
import { httpApiEvent, restApiEvent, type HttpCall } from '../fakes/lambda/api-gateway-events.js';
import { locateNode22 } from '../fakes/lambda/node22.js';
import { startOpenMeteoServer, VALPARAISO } from '../fakes/open-meteo-server.js';
import { bundleForTest, deployFunction, type DeployedFunction } from './support/deployed-function.js';
import { describeSameTableCases } from './api-function-same-table.js';

const node22 = await locateNode22();
const SECRET = 'lambda-test-secret-of-at-least-32-characters';

interface ProxyResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}

/**
 * The API bundle on the runtime Lambda uses (Node 22, aws-lambda-ric) behind a Runtime API stand-in, with the aws
 * profile against DynamoDB Local and the wire-level AWS stand-ins: REST and HTTP API events, authorizer claims,
 * the invocation deadline, and a conversation that moves between the Fastify server and the function.
 */
describe.skipIf('skip' in node22)('API function (bundle under aws-lambda-ric on Node 22)', () => {
  let dynamo: DynamoDbLocal;
  let table: TestTable;
  let bedrock: BedrockRuntimeFake;
  let polly: PollyFake;
  let comprehend: FakeAwsServer;
  let events: EventBridgeFake;
  let weather: Awaited<ReturnType<typeof startOpenMeteoServer>>;
  let bundle: Awaited<ReturnType<typeof bundleForTest>>;
  let fn: DeployedFunction;
  let tokens: Hs256TokenAuthority;
  let endpoints: Record<string, string>;
  let xray: Socket;
  const traces: string[] = [];

  beforeAll(async () => {
    [dynamo, bedrock, polly, comprehend, events, weather, bundle] = await Promise.all([
      startDynamoDbLocal(),
      startBedrockRuntimeFake(),
      startPollyFake(),
      startComprehendFake(),
      startEventBridgeFake(),
      startOpenMeteoServer({ cities: { valparaiso: VALPARAISO } }),
      bundleForTest('api'),
    ]);
    table = await createTestTable(dynamo.endpoint);
    // Stands for the X-Ray daemon: the tracer sends its segments here over UDP.
    xray = createSocket('udp4');
    xray.on('message', (message) => traces.push(message.toString('utf8')));
    await new Promise<void>((resolve) => xray.bind(0, '127.0.0.1', resolve));
    tokens = new Hs256TokenAuthority({ secret: SECRET, issuer: 'voice-assistant-local', audience: 'voice-assistant' });
    endpoints = {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      AWS_ENDPOINT_URL_POLLY: polly.url,
      AWS_ENDPOINT_URL_COMPREHEND: comprehend.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: events.url,
    };
    fn = await deployFunction({
      node: (node22 as { path: string }).path,
      bundle,
      functionName: 'assistant-api',
      env: {
        ...endpoints,
        ASSISTANT_PROFILE: 'aws',
        DYNAMODB_TABLE: table.tableName,
        EVENT_BUS_NAME: 'assistant-bus',
        AUTH: 'local',
        AUTH_SECRET: SECRET,
        STT: 'none',
        LOG_LEVEL: 'warn',
        WEATHER_GEOCODING_URL: weather.url,
        WEATHER_FORECAST_URL: weather.url,
        RATE_LIMIT_MAX: '0',
        DEADLINE_MARGIN_MS: '300',
        AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${xray.address().port}`,
      },
    });
  }, 120_000);

  afterAll(async () => {
    await fn?.stop();
    xray?.close();
    await table?.drop();
    await Promise.all([
      dynamo?.stop(),
      bedrock?.close(),
      polly?.close(),
      comprehend?.close(),
      events?.close(),
      weather?.close(),
      bundle?.remove(),
    ]);
  });

  const bearer = async (userId: string) => ({
    authorization: `Bearer ${await tokens.mint({ userId, ttlSeconds: 300 })}`,
  });

  /** One API call through the function, with the event shape of a REST API or an HTTP API. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads its own response shape
  type CallResult = { status: number; json: any; headers: Record<string, string> };
  async function call(shape: 'rest' | 'http', request: HttpCall): Promise<CallResult> {
    const result = await fn.call<ProxyResult>(shape === 'rest' ? restApiEvent(request) : httpApiEvent(request));
    const json = result.body
      ? JSON.parse(result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body)
      : undefined;
    return { status: result.statusCode, json, headers: result.headers };
  }

  it('knows a city outside its built-in list: the gazetteer data ships beside the bundle and loads on first use', async () => {
    // Prepare
    const headers = await bearer('gus');
    const created = await call('http', { method: 'POST', url: '/v1/conversations', headers, body: {} });
    const id = created.json.id as string;

    // Act
    const answered = await call('http', {
      method: 'POST',
      url: `/v1/conversations/${id}/turns`,
      headers,
      // Without a preposition only the gazetteer knows it is a place: the built-in list would ask "For which city?".
      body: { text: 'how hot is Valparaiso today' },
    });

    // Assess
    expect(answered.json, JSON.stringify(answered.json)).toMatchObject({
      skill: 'weather',
      slots: { city: 'Valparaiso' },
      text: expect.stringContaining('Valparaiso'),
    });
  });

  it.each(['rest', 'http'] as const)(
    'holds a whole conversation through %s API events: DynamoDB, Bedrock, Polly, Comprehend, EventBridge',
    async (shape) => {
      // Prepare
      const headers = await bearer(`erin-${shape}`);
      bedrock.setReply(() => 'Mount Everest is the tallest mountain on Earth.');

      // Act
      const created = await call(shape, { method: 'POST', url: '/v1/conversations', headers, body: {} });
      const id = created.json.id as string;
      const turn = (body: object) =>
        call(shape, { method: 'POST', url: `/v1/conversations/${id}/turns`, headers, body });
      const greeting = await turn({ text: 'good morning' });
      const asked = await turn({ text: "what's the weather" });
      const answered = await turn({ text: 'Tokyo', speech: { format: 'mp3' } });
      const open = await turn({ text: 'what is the tallest mountain in the world' });
      const history = await call(shape, { method: 'GET', url: `/v1/conversations/${id}/turns?limit=50`, headers });

      // Assess
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      expect(greeting.json).toMatchObject({ skill: 'small-talk' });
      expect(asked.json).toMatchObject({ route: 'ask', text: 'For which city?' });
      expect(answered.json).toMatchObject({
        skill: 'weather',
        slots: { city: 'Tokyo' },
        audio: { format: 'mp3', mimeType: 'audio/mpeg' },
      });
      expect(open.json).toMatchObject({ route: 'llm', text: 'Mount Everest is the tallest mountain on Earth.' });
      expect(history.status).toBe(200);
      expect(history.json.items.map((t: { role: string; text: string }) => t.text)).toEqual([
        'good morning',
        expect.any(String),
        "what's the weather",
        'For which city?',
        'Tokyo',
        expect.stringContaining('Tokyo'),
        'what is the tallest mountain in the world',
        'Mount Everest is the tallest mountain on Earth.',
      ]);
      // The function publishes only SessionStarted itself; the turns' events reach the bus through the stream's Pipe.
      await EventPipeFake.toEventBridge(table.client, table.tableName, {
        endpoint: events.url,
        eventBusName: 'assistant-bus',
      }).deliverPending();
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
    },
    60_000,
  );

  it('traces the invocation, each turn step and each SDK call (DynamoDB, Bedrock, Comprehend, EventBridge) as X-Ray subsegments', async () => {
    // Prepare
    const headers = await bearer('kim');
    traces.length = 0;
    // Creating the conversation publishes SessionStarted to EventBridge; a turn's events go through the table's stream.
    const { json: conversation } = await call('http', { method: 'POST', url: '/v1/conversations', headers, body: {} });
    // Act
    await call('http', {
      method: 'POST',
      url: `/v1/conversations/${conversation.id}/turns`,
      headers,
      body: { text: 'what is the meaning of life' },
    });
    // Assess
    await expect.poll(() => traces.join('\n'), { timeout: 5000 }).toContain('## assistant-api');
    const sent = traces.join('\n');
    for (const name of [
      '### turn.load',
      '### turn.understand',
      '### turn.respond',
      '### turn.persist',
      '### turn.publish',
    ])
      expect(sent).toContain(`"name":"${name}"`);
    for (const operation of ['GetItem', 'Query', 'TransactWriteItems'])
      expect(sent).toMatch(new RegExp(`"name":"DynamoDB"[^\\n]*"operation":"${operation}"`));
    // The clients the adapters use are captured too, each call its own subsegment named after the service.
    for (const [service, operation] of [
      ['BedrockRuntime', 'Converse(Stream)?'],
      ['Comprehend', 'DetectSentiment'],
      ['EventBridge', 'PutEvents'],
    ])
      expect(sent).toMatch(new RegExp(`"name":"${service}"[^\\n]*"operation":"${operation}"`));
  });

  it("sets helmet's headers for the API's options on every response, worked out when the bundle was built", async () => {
    const { set, removed } = helmetHeaders(API_HELMET_OPTIONS);
    const requests: HttpCall[] = [
      { method: 'GET', url: '/health' },
      { method: 'GET', url: '/v1/skills', headers: await bearer('hana') },
      { method: 'GET', url: '/v1/skills' },
      { method: 'GET', url: '/nowhere' },
    ];
    for (const request of requests) {
      const response = await call('rest', request);
      const headers = Object.fromEntries(Object.entries(response.headers).map(([name, v]) => [name.toLowerCase(), v]));
      expect(headers, request.url).toMatchObject(Object.fromEntries(set));
      for (const name of removed) expect(headers[name]).toBeUndefined();
    }
  });

  it('answers a bad request with the API problem+json, mapped by the same error handler as the server', async () => {
    const response = await call('http', {
      method: 'POST',
      url: '/v1/conversations/nope/turns',
      headers: await bearer('frank'),
      body: { text: '' },
    });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json).toMatchObject({ code: 'VALIDATION', status: 400 });
  });

  it.each(['rest', 'http'] as const)(
    "takes the caller from the authorizer's verified claims on %s events, without verifying the token again",
    async (shape) => {
      // Prepare: a token the function itself could never verify, and the claims API Gateway's authorizer passes
      const headers = { authorization: 'Bearer not.a.token-the-function-could-verify' };

      // Act
      const withClaims = await call(shape, {
        method: 'POST',
        url: '/v1/conversations',
        headers,
        body: {},
        claims: { sub: `cognito-${shape}`, scope: 'assistant/chat' },
      });
      const listed = await call(shape, {
        method: 'GET',
        url: '/v1/conversations',
        headers,
        claims: { sub: `cognito-${shape}` },
      });
      const withoutClaims = await call(shape, { method: 'GET', url: '/v1/conversations', headers });

      // Assess
      expect(withClaims.status).toBe(201);
      expect(listed.json.items.map((c: { id: string }) => c.id)).toEqual([withClaims.json.id]);
      expect(withoutClaims.status).toBe(401);
    },
  );

  it("logs each invocation with API Gateway's request id and writes its metrics before answering", async () => {
    // Prepare
    const requestId = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';
    const headers = await bearer('gina');
    const { json: conversation } = await call('rest', { method: 'POST', url: '/v1/conversations', headers, body: {} });
    const before = fn.client.jsonLines().length;

    // Act
    const response = await call('rest', {
      method: 'POST',
      url: `/v1/conversations/${conversation.id}/turns`,
      headers,
      body: { text: 'hello' },
      requestId,
    });
    const missing = await call('rest', {
      method: 'GET',
      url: '/v1/nope',
      headers,
      requestId: 'b1c2d3e4-0000-4000-8000-000000000001',
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toBe(requestId);
    expect(missing.headers['x-request-id']).toBe('b1c2d3e4-0000-4000-8000-000000000001');
    const lines = fn.client.jsonLines();
    // The metrics of the turn were written by the time the invocation answered, in CloudWatch's embedded format.
    const turnLatency = lines.slice(before).filter((line) => '_aws' in line && 'TurnLatency' in line);
    expect(turnLatency).toEqual([
      expect.objectContaining({ function: 'assistant-api', service: 'Nova', route: 'skill' }),
    ]);
    expect(lines.filter((line) => '_aws' in line && 'ColdStart' in line)).toEqual([
      expect.objectContaining({ function_name: 'assistant-api', ColdStart: 1 }),
    ]);
  });

  it('answers 504 before the invocation deadline when a dependency hangs, and serves the next request', async () => {
    // Prepare
    const headers = await bearer('hana');
    const { json: conversation } = await call('http', { method: 'POST', url: '/v1/conversations', headers, body: {} });
    bedrock.setSilent(true);

    // Act
    const requestId = 'd2e3f4a5-0000-4000-8000-00000000dead';
    const event = httpApiEvent({
      method: 'POST',
      url: `/v1/conversations/${conversation.id}/turns`,
      headers,
      body: { text: 'tell me a long story about dragons' },
      requestId,
    });
    const hung = await fn.invoke(event, { timeoutMs: 2500 });
    bedrock.setSilent(false);
    const next = await call('http', { method: 'GET', url: `/v1/conversations/${conversation.id}`, headers });

    // Assess
    expect(hung.kind).toBe('response');
    expect(hung.elapsedMs).toBeLessThan(2500);
    const result = (hung as { body: ProxyResult }).body;
    expect(result.statusCode).toBe(504);
    expect(JSON.parse(result.body)).toMatchObject({ code: 'TIMEOUT', status: 504 });
    expect(next.status).toBe(200);
    // The function's own log line says why, under API Gateway's request id and the Lambda context.
    expect(fn.client.jsonLines()).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'no response before the invocation deadline; answering 504',
        correlation_id: requestId,
        function_name: 'assistant-api',
        function_request_id: hung.requestId,
      }),
    );
  }, 30_000);

  describeSameTableCases(() => ({
    endpoints,
    tableName: table.tableName,
    weatherUrl: weather.url,
    authSecret: SECRET,
    bearer,
    call,
  }));
});
