import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DomainEvent } from '../../../core/model/events.js';
import type { Alerting } from '../../../core/ports/alerting.js';
import type { LambdaConfig } from '../shared/lambda-config.js';
import { errorFields, invalidEvent } from '../shared/lambda-errors.js';
import type { Observability } from '../shared/observability.js';
import { analyticsOf } from './event-analytics.js';
import { domainEventOf } from './domain-event-message.js';

export interface EventConsumerDeps {
  config: LambdaConfig;
  observability: Observability;
  alerting: Alerting;
  /** Where processed event ids are remembered; Powertools' DynamoDB layer in the function. */
  persistenceStore: DynamoDBPersistenceLayer;
}

export type ConsumeBatch = (event: unknown, context: Context) => Promise<SQSBatchResponse>;

/**
 * The consumer's clients and adapters, built once per instance from the function's config, on the first batch: the
 * SDK clients (each through the tracer's capture) and their modules are imported and created then, not at init.
 */
export async function eventConsumerDeps(
  config: LambdaConfig,
  observability: Observability,
): Promise<EventConsumerDeps> {
  const [{ SNSClient }, { DynamoDBClient }, { DynamoDBPersistenceLayer }, { SnsAlerting }, { TABLE }] =
    await Promise.all([
      import('@aws-sdk/client-sns'),
      import('@aws-sdk/client-dynamodb'),
      import('@aws-lambda-powertools/idempotency/dynamodb'),
      import('../../../adapters/aws/sns-alerting.js'),
      import('../../../adapters/aws/dynamodb/dynamodb-table.js'),
    ]);
  const { aws } = config.app;
  const clientConfig = {
    ...(aws.region && { region: aws.region }),
    ...(aws.endpoint && { endpoint: aws.endpoint }),
    requestHandler: {
      connectionTimeout: aws.requestTimeoutMs,
      requestTimeout: aws.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
  const { captureClient } = observability;
  const sns = captureClient(new SNSClient(clientConfig));
  // The idempotency layer's client: its reads and conditional writes are subsegments like every other call.
  const dynamoDb = captureClient(new DynamoDBClient(clientConfig));
  return {
    config,
    observability,
    alerting: new SnsAlerting({ topicArn: config.alertTopicArn ?? '', client: sns }),
    // The assistant's table by default: idempotency items share one partition key per function and expire by the
    // table's own TTL attribute.
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: config.idempotency.tableName,
      keyAttr: TABLE.partitionKey,
      sortKeyAttr: TABLE.sortKey,
      staticPkValue: `IDEMPOTENCY#${config.functionName}`,
      expiryAttr: TABLE.ttlAttribute,
      awsSdkV3Client: dynamoDb,
    }),
  };
}

/**
 * The SQS batch handler for the domain events EventBridge routes to the queue. Each record is validated, then its
 * analytics are applied once per event id (Powertools idempotency): the alert first, so a failed alert leaves no
 * trace and the record is retried whole; then the metrics. A record that fails — malformed, or an alert SNS would not
 * take — is reported in `batchItemFailures` alone; the queue redrives it and finally parks it in its DLQ.
 */
export function createEventConsumer(deps: EventConsumerDeps): ConsumeBatch {
  const { observability, alerting, config } = deps;
  const { logger, telemetry } = observability;
  const idempotency = new IdempotencyConfig({
    eventKeyJmesPath: 'id',
    expiresAfterSeconds: config.idempotency.ttlSeconds,
  });

  const apply = makeIdempotent(
    async (event: DomainEvent) => {
      const analytics = analyticsOf(event, config.app.assistantName);
      if (analytics.alert) {
        const alert = analytics.alert;
        await telemetry.span('events.alert', () => alerting.raise(alert), { eventType: event.type });
      }
      for (const point of analytics.metrics) telemetry.metric(point.name, point.value, point.unit, point.dimensions);
      return { id: event.id, type: event.type };
    },
    { persistenceStore: deps.persistenceStore, config: idempotency },
  );

  // Records run one after another, so each one's log lines can carry its own message id as the correlation id.
  const recordHandler = async (record: SQSRecord) => {
    logger.setCorrelationId(record.messageId);
    try {
      const event = domainEventOf(record.body);
      return await telemetry.span('events.record', () => apply(event), { eventType: event.type });
    } catch (error) {
      logger.warn('record failed; the queue will redeliver it', { messageId: record.messageId, ...errorFields(error) });
      throw error;
    }
  };

  return async (event, context) => {
    if (!isSqsEvent(event)) throw invalidEvent('SQS batch', ['expected { Records: [...] } of aws:sqs records']);
    idempotency.registerLambdaContext(context);
    const processor = new BatchProcessor(EventType.SQS);
    const response = await processPartialResponse(event, recordHandler, processor, {
      context,
      throwOnFullBatchFailure: false,
      processInParallel: false,
    });
    telemetry.metric('EventsFailed', response.batchItemFailures.length, 'Count');
    return response;
  };
}

function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as { Records?: unknown } | null)?.Records;
  return (
    Array.isArray(records) && records.every((r) => (r as { eventSource?: unknown } | null)?.eventSource === 'aws:sqs')
  );
}
