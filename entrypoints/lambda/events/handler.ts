import type { SQSBatchResponse } from 'aws-lambda';
import { loadLambdaConfig } from '../shared/lambda-config.js';
import { instrumented } from '../shared/instrumented-handler.js';
import { createObservability } from '../shared/observability.js';
import { createEventConsumer, eventConsumerDeps, type ConsumeBatch } from './compose-event-consumer.js';

/*
 * Composition root of the event consumer, once per cold start: config (the init fails when it is invalid) and
 * telemetry; the SNS and DynamoDB clients and the consumer on the first batch. No container: it needs none of the
 * turn's ports.
 */
const config = await loadLambdaConfig(process.env, { alertTopic: true, runsTurns: false });
const observability = await createObservability({
  serviceName: config.app.assistantName,
  namespace: config.app.aws.metricsNamespace,
  functionName: config.functionName,
});
let consumer: Promise<ConsumeBatch> | undefined;
/** The consumer and its clients, made on the first batch; a failure to make them is not remembered. */
const consume: ConsumeBatch = async (event, context) => {
  consumer ??= eventConsumerDeps(config, observability)
    .then(createEventConsumer)
    .catch((error: unknown) => {
      consumer = undefined;
      throw error;
    });
  return (await consumer)(event, context);
};

/** SQS batches of EventBridge domain events in, partial batch failures out. */
export const handler = instrumented<unknown, SQSBatchResponse>(observability, {}, consume);
