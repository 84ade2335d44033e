import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../core/model/events.js';
import { drainQueue, startSqsSns } from '../fakes/aws/fauxqs.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../fakes/aws/dynamodb-local.js';
import { createTestTable, type TestTable } from '../fakes/aws/dynamodb-test-table.js';
import { locateNode22 } from '../fakes/lambda/node22.js';
import { pollOnce } from '../fakes/lambda/sqs-event-source.js';
import { bundleForTest, deployFunction, type DeployedFunction } from './support/deployed-function.js';

const node22 = await locateNode22();

const at = '2026-11-30T09:30:00.000Z';
const base = (conversationId: string) => ({ id: `evt-${randomUUID()}`, at, userId: 'user-1', conversationId });

/** A domain event as an EventBridge rule delivers it to an SQS target: the bus's envelope around it. */
const envelope = (event: DomainEvent) =>
  JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': event.type,
    source: 'voice-assistant',
    account: '123456789012',
    time: event.at,
    region: 'us-east-1',
    resources: [],
    detail: event,
  });

/**
 * The event consumer bundle under aws-lambda-ric on Node 22, fed by an SQS event source stand-in over fauxqs (with a
 * DLQ redrive policy), alerting through fauxqs SNS, remembering processed events in DynamoDB Local, and tracing to a
 * UDP socket standing for the X-Ray daemon.
 */
describe.skipIf('skip' in node22)('event consumer function (bundle under aws-lambda-ric on Node 22)', () => {
  let stand: Awaited<ReturnType<typeof startSqsSns>>;
  let dynamo: DynamoDbLocal;
  let table: TestTable;
  let bundle: Awaited<ReturnType<typeof bundleForTest>>;
  let fn: DeployedFunction;
  let xray: Socket;
  const traces: string[] = [];
  let queue: { url: string; arn: string };
  let dlqUrl: string;
  let alertsUrl: string;

  beforeAll(async () => {
    [stand, dynamo, bundle] = await Promise.all([startSqsSns(), startDynamoDbLocal(), bundleForTest('events')]);
    table = await createTestTable(dynamo.endpoint);
    const dlq = stand.server.createQueue('events-dlq');
    dlqUrl = dlq.queueUrl;
    const main = stand.server.createQueue('events', {
      attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: '3' }) },
    });
    queue = { url: main.queueUrl, arn: main.queueArn };
    const { topicArn } = stand.server.createTopic('assistant-alerts');
    alertsUrl = stand.server.createQueue('alerts-inbox').queueUrl;
    stand.server.subscribe({ topic: 'assistant-alerts', queue: 'alerts-inbox' });
    xray = createSocket('udp4');
    xray.on('message', (message) => traces.push(message.toString('utf8')));
    await new Promise<void>((resolve) => xray.bind(0, '127.0.0.1', resolve));
    fn = await deployFunction({
      node: (node22 as { path: string }).path,
      bundle,
      functionName: 'assistant-events',
      env: {
        ASSISTANT_PROFILE: 'aws',
        DYNAMODB_TABLE: table.tableName,
        ALERT_TOPIC_ARN: topicArn,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_SNS: stand.url,
        AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${xray.address().port}`,
      },
    });
  }, 120_000);

  afterAll(async () => {
    await fn?.stop();
    xray?.close();
    await table?.drop();
    await Promise.all([stand?.stop(), dynamo?.stop(), bundle?.remove()]);
  });

  const consume = (event: SQSEvent) => fn.call<SQSBatchResponse>(event);
  const send = async (bodies: string[]) => {
    await stand.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body })),
      }),
    );
  };
  const alerts = async () =>
    (await drainQueue(stand.sqs, alertsUrl)).map(
      (m) => JSON.parse(m.Body ?? '{}') as { Subject: string; Message: string },
    );
  const emf = () => fn.client.jsonLines().filter((line) => '_aws' in line);

  it('records analytics once per event, alerts on SystemError, and fails only the malformed records — again when the batch comes back', async () => {
    // Prepare
    const conversationId = `conv-${randomUUID()}`;
    const good: DomainEvent[] = [
      { ...base(conversationId), type: 'SessionStarted' },
      {
        ...base(conversationId),
        type: 'UserInteraction',
        turnId: 't1',
        text: 'tell me a joke',
        inputMode: 'audio',
        intent: 'None',
        confidence: 0.2,
      },
      {
        ...base(conversationId),
        type: 'AssistantReplied',
        turnId: 't2',
        route: 'llm',
        intent: 'None',
        timings: { transcribe: 120, respond: 900, synthesize: 80, total: 1200 },
      },
      {
        ...base(conversationId),
        type: 'SystemError',
        code: 'LLM_UNAVAILABLE',
        step: 'respond',
        message: 'bedrock: ThrottlingException',
      },
    ];
    const notJson = 'this is not an event';
    const missingField = envelope({
      ...base(conversationId),
      type: 'UserInteraction',
      text: 'hi',
      inputMode: 'text',
      intent: 'greet',
      confidence: 1,
    } as unknown as DomainEvent);
    await send([...good.map(envelope), notJson, missingField]);
    const metricsBefore = emf().length;

    // Act: the event source's first batch, then the same batch delivered again (as after a lost response)
    const first = await pollOnce(stand.sqs, queue, consume);
    const again = await consume(first!.event);

    // Assess
    const bodyOf = new Map(first!.event.Records.map((r) => [r.messageId, r.body]));
    expect(first!.event.Records).toHaveLength(6);
    expect(first!.response.batchItemFailures.map((f) => bodyOf.get(f.itemIdentifier)).sort()).toEqual(
      [missingField, notJson].sort(),
    );
    expect(again.batchItemFailures).toEqual(first!.response.batchItemFailures);
    const raised = await alerts();
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      Subject: 'Nova: LLM_UNAVAILABLE in respond',
      Message: expect.stringContaining('bedrock: ThrottlingException'),
    });
    const docs = emf().slice(metricsBefore);
    const total = (name: string) => docs.reduce((sum, doc) => sum + (typeof doc[name] === 'number' ? doc[name] : 0), 0);
    expect(total('UserInteractions')).toBe(1);
    expect(total('LlmRequests')).toBe(1);
    expect(total('VoiceProcessingDuration')).toBe(200);
    expect(total('SessionsStarted')).toBe(1);
    expect(docs.filter((doc) => 'Errors' in doc)).toEqual([
      expect.objectContaining({ Errors: 1, service: 'language-model', function: 'assistant-events' }),
    ]);
    expect(docs.filter((doc) => 'UserInteractions' in doc)).toEqual([expect.objectContaining({ inputMode: 'audio' })]);
    // The malformed records were logged with their own message id as the correlation id, and why they failed.
    const failedId = first!.response.batchItemFailures[0]!.itemIdentifier;
    expect(fn.client.jsonLines()).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'record failed; the queue will redeliver it',
        correlation_id: failedId,
        errorType: 'Assistant.VALIDATION',
      }),
    );
  }, 60_000);

  it('processes an event EventBridge delivered twice (two messages, one event id) once', async () => {
    await drainQueue(stand.sqs, queue.url);
    const event: DomainEvent = {
      ...base('conv-dup'),
      type: 'SystemError',
      code: 'INTERNAL',
      step: 'persist',
      message: 'boom',
    };
    await send([envelope(event), envelope(event)]);
    const batch = await pollOnce(stand.sqs, queue, consume);
    expect(batch?.event.Records).toHaveLength(2);
    expect(batch?.response.batchItemFailures).toEqual([]);
    expect((await alerts()).map((a) => a.Subject)).toEqual(['Nova: INTERNAL in persist']);
  });

  it("parks a poison message in the DLQ after the queue's max receives, and processes the rest once", async () => {
    // Prepare
    await drainQueue(stand.sqs, queue.url);
    const ok: DomainEvent = { ...base('conv-dlq'), type: 'SessionStarted' };
    await send([envelope(ok), '{"detail-type":"UserInteraction","detail":{"type":"UserInteraction"}}']);
    const startedBefore = emf().reduce(
      (sum, doc) => sum + (typeof doc.SessionsStarted === 'number' ? doc.SessionsStarted : 0),
      0,
    );

    // Act: poll as the event source mapping does until the queue is empty
    const batches: SQSEvent[] = [];
    for (let round = 0; round < 6; round += 1) {
      const polled = await pollOnce(stand.sqs, queue, consume);
      if (!polled) break;
      batches.push(polled.event);
    }

    // Assess
    expect(batches.map((b) => b.Records.length)).toEqual([2, 1, 1]);
    const parked = await drainQueue(stand.sqs, dlqUrl);
    expect(parked.map((m) => m.Body)).toEqual([
      '{"detail-type":"UserInteraction","detail":{"type":"UserInteraction"}}',
    ]);
    const started = emf().reduce(
      (sum, doc) => sum + (typeof doc.SessionsStarted === 'number' ? doc.SessionsStarted : 0),
      0,
    );
    expect(started - startedBefore).toBe(1);
  }, 30_000);

  it('reports an event that is not an SQS batch on /error with a stable errorType, and keeps serving', async () => {
    const outcome = await fn.invoke({ detail: 'not a batch' });
    expect(outcome).toMatchObject({
      kind: 'error',
      errorType: 'Assistant.VALIDATION',
      errorMessage: expect.stringContaining('SQS batch'),
    });
    await expect(consume({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
  });

  it('traces each invocation, record and SNS/DynamoDB call as X-Ray subsegments', async () => {
    await drainQueue(stand.sqs, queue.url);
    await send([
      envelope({ ...base('conv-trace'), type: 'SystemError', code: 'TIMEOUT', step: 'respond', message: 'slow' }),
    ]);
    await pollOnce(stand.sqs, queue, consume);
    await expect.poll(() => traces.join('\n'), { timeout: 5000 }).toContain('## assistant-events');
    const names = traces.join('\n');
    expect(names).toContain('### events.record');
    expect(names).toContain('### events.alert');
    expect(names).toMatch(/"name":"SNS"/);
    expect(names).toMatch(/"name":"DynamoDB"/);
  });
});
