import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnsAlerting } from '../../../adapters/aws/sns-alerting.js';
import { DependencyUnavailableError, ValidationError } from '../../../core/errors.js';
import { describeAlertingContract, type ReceivedAlert } from '../../contract/alerting.contract.js';
import { TEST_AWS_CLIENT_CONFIG } from '../../fakes/aws/fake-aws-server.js';
import { drainQueue, startSqsSns } from '../../fakes/aws/fauxqs.js';

interface SnsEnvelope {
  Subject?: string;
  Message: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

let count = 0;

/** The topic fans out to a queue, where the test reads the notifications back as an SQS subscriber would. */
describeAlertingContract('SnsAlerting against fauxqs (SNS -> SQS)', async () => {
  const stand = await startSqsSns();
  count += 1;
  const { topicArn } = stand.server.createTopic(`alerts-${count}`);
  const { queueUrl } = stand.server.createQueue(`alerts-inbox-${count}`);
  stand.server.subscribe({ topic: `alerts-${count}`, queue: `alerts-inbox-${count}` });
  const client = new SNSClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: stand.url });
  const seen: ReceivedAlert[] = [];
  return {
    alerting: new SnsAlerting({ topicArn, client }),
    received: async () => {
      for (const message of await drainQueue(stand.sqs, queueUrl)) {
        const envelope = JSON.parse(message.Body ?? '{}') as SnsEnvelope;
        seen.push({
          subject: envelope.Subject ?? '',
          message: envelope.Message,
          attributes: Object.fromEntries(
            Object.entries(envelope.MessageAttributes ?? {}).map(([key, value]) => [key, value.Value]),
          ),
        });
      }
      return [...seen];
    },
    dispose: async () => {
      client.destroy();
      await stand.stop();
    },
  };
});

describe('SnsAlerting', () => {
  let stand: Awaited<ReturnType<typeof startSqsSns>>;
  let client: SNSClient;
  beforeAll(async () => {
    stand = await startSqsSns();
    client = new SNSClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: stand.url });
  });
  afterAll(async () => {
    client?.destroy();
    await stand?.stop();
  });

  it('refuses a topic that is not an ARN when it is built, not on the first alert', () => {
    expect(() => new SnsAlerting({ topicArn: 'alerts', client })).toThrow(ValidationError);
  });

  it('reports a missing topic as a dependency problem that retrying will not fix', async () => {
    // Prepare
    const alerting = new SnsAlerting({ topicArn: 'arn:aws:sns:us-east-1:000000000000:no-such-topic', client });
    // Act
    const raised = alerting.raise({ id: 'a-1', severity: 'critical', subject: 's', message: 'm' });
    // Assess
    await expect(raised).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(raised).rejects.toMatchObject({
      retryable: false,
      message: expect.stringContaining('ALERT_TOPIC_ARN'),
    });
  });

  it('reports an unreachable SNS endpoint as retryable', async () => {
    const down = new SNSClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: 'http://127.0.0.1:9' });
    const alerting = new SnsAlerting({ topicArn: 'arn:aws:sns:us-east-1:000000000000:t', client: down });
    await expect(alerting.raise({ id: 'a-2', severity: 'warning', subject: 's', message: 'm' })).rejects.toMatchObject({
      name: 'DependencyUnavailableError',
      retryable: true,
    });
    down.destroy();
  });
});
