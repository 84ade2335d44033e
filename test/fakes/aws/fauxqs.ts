import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { TEST_AWS_CLIENT_CONFIG } from './fake-aws-server.js';

export type Fauxqs = Awaited<ReturnType<typeof startFauxqs>>;

/** fauxqs (SQS, SNS, S3 in process, on a loopback port) with an SQS client pointed at it. */
export async function startSqsSns(): Promise<{ server: Fauxqs; url: string; sqs: SQSClient; stop(): Promise<void> }> {
  const server = await startFauxqs({ port: 0, logger: false });
  const url = server.address;
  const sqs = new SQSClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: url });
  return {
    server,
    url,
    sqs,
    async stop() {
      sqs.destroy();
      await server.stop();
    },
  };
}

/** Receives and deletes everything waiting in a queue, as a subscriber that reads every message would. */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const drained: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        AttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return drained;
    drained.push(...Messages);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}
