import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** One SQS message as the Lambda event source mapping puts it in a batch. */
export function sqsRecordOf(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'AIDATEST',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

export interface PollResult {
  event: SQSEvent;
  response: SQSBatchResponse;
}

/**
 * What Lambda's SQS event source mapping does with ReportBatchItemFailures: receive a batch, invoke the function,
 * delete the messages it did not report, and leave the reported ones to come back (here at once, visibility 0), so
 * the queue's redrive policy parks them in the DLQ after maxReceiveCount receives.
 */
export async function pollOnce(
  sqs: SQSClient,
  queue: { url: string; arn: string },
  invoke: (event: SQSEvent) => Promise<SQSBatchResponse>,
): Promise<PollResult | undefined> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: 30,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  if (Messages.length === 0) return undefined;
  const event: SQSEvent = { Records: Messages.map((message) => sqsRecordOf(message, queue.arn)) };
  const response = await invoke(event);
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  const done = Messages.filter((m) => !failed.has(m.MessageId!));
  const retry = Messages.filter((m) => failed.has(m.MessageId!));
  if (done.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
  if (retry.length > 0) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queue.url,
        Entries: retry.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
      }),
    );
  }
  return { event, response };
}
