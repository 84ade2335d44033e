import { PublishCommand, SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';
import { DependencyUnavailableError, ValidationError } from '../../core/errors.js';
import type { Alert, Alerting } from '../../core/ports/alerting.js';
import { startServiceCall, type ServiceErrorPolicy } from '../shared/service-errors.js';

const SERVICE = 'sns';
/** SNS limits: an e-mail subject is at most 100 ASCII characters without line breaks; a message at most 256 KB. */
const MAX_SUBJECT = 100;
const MAX_MESSAGE_BYTES = 256 * 1024;
/** SNS refuses message attributes with empty values or more than 10 of them. */
const MAX_ATTRIBUTES = 10;

export type SnsAlertingOptions = {
  topicArn: string;
  /** Time limit of one Publish call; default 5000 ms. */
  timeoutMs?: number;
} & ({ client: Pick<SNSClient, 'send'>; clientConfig?: never } | { client?: never; clientConfig?: SNSClientConfig });

const POLICY: ServiceErrorPolicy = {
  adapter: SERVICE,
  unavailable: new Set([
    'ThrottledException',
    'InternalErrorException',
    'KMSThrottlingException',
    'ServiceUnavailable',
    'TimeoutError',
  ]),
  invalid: new Set(['InvalidParameterException', 'InvalidParameterValueException']),
  hints: {
    NotFoundException: 'the alert topic does not exist; check ALERT_TOPIC_ARN',
    AuthorizationErrorException: 'the function may not publish to the alert topic (sns:Publish)',
  },
  unavailableError: (detail, options) => new DependencyUnavailableError(SERVICE, detail, options),
};

/**
 * Raises alerts as SNS notifications on one topic: the subject made e-mail safe, the message as text with the alert's
 * facts appended, and the facts (plus severity and id) as message attributes so subscriptions can filter on them.
 */
export class SnsAlerting implements Alerting {
  private readonly client: Pick<SNSClient, 'send'>;
  private readonly topicArn: string;
  private readonly timeoutMs: number;

  constructor(options: SnsAlertingOptions) {
    if (!options.topicArn.startsWith('arn:'))
      throw new ValidationError(`${SERVICE}: topicArn must be an ARN, got ${JSON.stringify(options.topicArn)}`);
    this.client = options.client ?? new SNSClient(options.clientConfig ?? {});
    this.topicArn = options.topicArn;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  async raise(alert: Alert, options: { signal?: AbortSignal } = {}): Promise<void> {
    const message = messageOf(alert);
    if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES)
      throw new ValidationError(`${SERVICE}: alert ${alert.id} is over the ${MAX_MESSAGE_BYTES}-byte message limit`);
    const call = startServiceCall(POLICY, options.signal, this.timeoutMs);
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: subjectOf(alert.subject),
          Message: message,
          MessageAttributes: attributesOf(alert),
        }),
        { abortSignal: call.signal },
      );
    } catch (error) {
      throw call.fail(error);
    }
  }
}

/** Printable ASCII without line breaks, starting with a letter, number or punctuation, as SNS demands of subjects. */
function subjectOf(subject: string): string {
  const plain =
    subject
      .replace(/[^\x20-\x7e]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim() || 'Alert';
  return plain.length <= MAX_SUBJECT ? plain : `${plain.slice(0, MAX_SUBJECT - 3)}...`;
}

function messageOf(alert: Alert): string {
  const facts = Object.entries(alert.attributes ?? {}).map(([key, value]) => `${key}: ${value}`);
  return [alert.message, '', `severity: ${alert.severity}`, `alert id: ${alert.id}`, ...facts].join('\n');
}

function attributesOf(alert: Alert): Record<string, { DataType: 'String'; StringValue: string }> {
  const custom: [string, string | undefined][] = Object.entries(alert.attributes ?? {});
  const entries: [string, string | undefined][] = [['severity', alert.severity], ['alertId', alert.id], ...custom];
  const kept = entries.filter(([, value]) => value !== undefined && value !== '').slice(0, MAX_ATTRIBUTES);
  return Object.fromEntries(
    kept.map(([key, value]) => [key, { DataType: 'String' as const, StringValue: value ?? '' }]),
  );
}
