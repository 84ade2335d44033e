import type { SQSBatchResponse } from 'aws-lambda';
import { loadLambdaConfig } from '../shared/lambda-config.js';
import { instrumented } from '../shared/instrumented-handler.js';
import { createObservability } from '../shared/observability.js';
import { createEventConsumer, eventConsumerDeps } from './compose-event-consumer.js';

/*
 * Composition root of the event consumer, once per cold start: config (the init fails when it is invalid),
 * telemetry, the SNS and DynamoDB clients, the consumer. No container: it needs none of the turn's ports.
 */
const config = await loadLambdaConfig(process.env, { alertTopic: true, runsTurns: false });
const observability = await createObservability({
  serviceName: config.app.assistantName,
  namespace: config.app.aws.metricsNamespace,
  functionName: config.functionName,
});
const consume = createEventConsumer(eventConsumerDeps(config, observability));

/** SQS batches of EventBridge domain events in, partial batch failures out. */
export const handler = instrumented<unknown, SQSBatchResponse>(observability, {}, consume);
