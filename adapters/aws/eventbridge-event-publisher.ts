import {
  EventBridgeClient,
  PutEventsCommand,
  type EventBridgeClientConfig,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { DomainEvent } from '../../core/model/events.js';
import { DependencyUnavailableError, ValidationError, type CoreError } from '../../core/errors.js';
import type { IoOptions } from '../../core/model/io.js';
import { systemRandom } from '../../core/defaults.js';
import type { EventPublisher } from '../../core/ports/event-publisher.js';
import { backoffDelayMs, sleep, type Random } from '../shared/backoff.js';
import { eventEnvelope } from '../shared/event-envelope.js';
import { rejectIfAborted } from '../shared/abort.js';
import { translateServiceError, type ServiceErrorPolicy } from '../shared/service-errors.js';

const SERVICE = 'eventbridge';
/** PutEvents limits: entries per request, and bytes per request as EventBridge counts them (which is also the entry limit). */
const MAX_ENTRIES = 10;
const MAX_BYTES = 256 * 1024;

/** Per-entry failures that come back the same however often they are sent. */
const PERMANENT = /^(MalformedDetail|InvalidArgument|ValidationException|NotAuthorized|AccessDenied|ResourceNotFound)/;
const CHECK_DEPLOYMENT = 'check the bus name and permissions';
/** Whole-request failures that pass by themselves, refusals only a deployment change fixes, and the rest is a bug. */
const EVENTBRIDGE_ERRORS: ServiceErrorPolicy = {
  adapter: SERVICE,
  unavailable: new Set([
    'ThrottlingException',
    'InternalException',
    'InternalFailure',
    'ServiceUnavailable',
    'LimitExceededException',
    'TimeoutError',
  ]),
  hints: Object.fromEntries(
    ['ResourceNotFoundException', 'AccessDeniedException', 'AccessDenied', 'UnrecognizedClientException'].map(
      (name) => [name, CHECK_DEPLOYMENT],
    ),
  ),
  refusal: 'internal',
};

export type EventBridgeEventPublisherOptions = {
  eventBusName: string;
  /** The `source` of every event, e.g. `voice-assistant`; rules match on it. */
  source: string;
  /** Rounds of re-sending entries EventBridge reported as failed; default 3. */
  maxRetries?: number;
  /** First backoff before re-sending failed entries, doubled each round; default 100 ms. */
  retryBaseDelayMs?: number;
  /** Jitter for the retry backoff; default `systemRandom`. */
  random?: Random;
} & (
  | { client: Pick<EventBridgeClient, 'send'>; clientConfig?: never }
  | { client?: never; clientConfig?: EventBridgeClientConfig }
);

interface Pending {
  event: DomainEvent;
  entry: PutEventsRequestEntry;
  bytes: number;
}

interface Failure {
  id: string;
  code: string;
  message?: string;
}

/**
 * Publishes domain events to an EventBridge bus with PutEvents: `detail-type` is the event type, `detail` the event as
 * JSON. Requests respect EventBridge's 10-entry and 256 KB limits; entries the service reports as failed are sent again
 * with backoff, and any that still fail make `publish` throw, naming them, so no event is dropped silently.
 */
export class EventBridgeEventPublisher implements EventPublisher {
  private readonly client: Pick<EventBridgeClient, 'send'>;
  private readonly eventBusName: string;
  private readonly source: string;
  private readonly maxRetries: number;
  private readonly retryBaseDelayMs: number;
  private readonly random: Random;

  constructor(options: EventBridgeEventPublisherOptions) {
    this.client = options.client ?? new EventBridgeClient(options.clientConfig ?? {});
    this.eventBusName = options.eventBusName;
    this.source = options.source;
    this.maxRetries = options.maxRetries ?? 3;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 100;
    this.random = options.random ?? systemRandom;
  }

  async publish({ events, signal }: { events: readonly DomainEvent[] } & IoOptions): Promise<void> {
    throwIfAborted(signal);
    // Every entry is built and checked before the first request, so an oversized event fails the call up front.
    const pending = events.map((event) => this.pending(event));
    const failures: Failure[] = [];
    for (const batch of batches(pending)) failures.push(...(await this.sendWithRetries(batch, signal)));
    if (failures.length > 0) {
      const listed = failures.map((f) => `${f.id} (${f.code})`).join(', ');
      throw new DependencyUnavailableError(
        SERVICE,
        `${failures.length} of ${events.length} events not published: ${listed}`,
        {
          retryable: failures.some((f) => !PERMANENT.test(f.code)),
          details: { failed: failures, published: events.length - failures.length },
        },
      );
    }
  }

  private pending(event: DomainEvent): Pending {
    if (Number.isNaN(Date.parse(event.at)))
      throw new ValidationError(`${SERVICE}: event ${event.id} has no valid time: ${event.at}`);
    const envelope = eventEnvelope(event, this.source);
    const entry: PutEventsRequestEntry = {
      EventBusName: this.eventBusName,
      Source: envelope.source,
      DetailType: envelope.detailType,
      Detail: envelope.detail,
      Time: envelope.time,
      Resources: [],
    };
    const bytes = entrySize(entry);
    if (bytes > MAX_BYTES) {
      throw new ValidationError(
        `${SERVICE}: event ${event.id} is ${bytes} bytes, over the ${MAX_BYTES}-byte PutEvents limit`,
        {
          details: { eventId: event.id, bytes },
        },
      );
    }
    return { event, entry, bytes };
  }

  /** Sends one batch; re-sends only the entries reported as failed, and returns those that never got through. */
  private async sendWithRetries(batch: Pending[], signal: AbortSignal | undefined): Promise<Failure[]> {
    const permanent: Failure[] = [];
    let remaining = batch;
    for (let round = 0; ; round += 1) {
      const result = await this.send(remaining, signal);
      const transient: { item: Pending; failure: Failure }[] = [];
      for (const [index, item] of remaining.entries()) {
        const outcome = result.Entries?.[index];
        if (outcome?.EventId && !outcome.ErrorCode) continue;
        // An entry with neither an EventId nor an error code was not accepted either.
        const failure = {
          id: item.event.id,
          code: outcome?.ErrorCode ?? 'Unknown',
          ...(outcome?.ErrorMessage && { message: outcome.ErrorMessage }),
        };
        if (PERMANENT.test(failure.code)) permanent.push(failure);
        else transient.push({ item, failure });
      }
      if (transient.length === 0 || round === this.maxRetries)
        return [...permanent, ...transient.map((t) => t.failure)];
      await sleep(backoffDelayMs(round, { baseMs: this.retryBaseDelayMs, random: this.random }), signal, SERVICE);
      remaining = transient.map((t) => t.item);
    }
  }

  private async send(batch: Pending[], signal: AbortSignal | undefined) {
    throwIfAborted(signal);
    try {
      return await this.client.send(new PutEventsCommand({ Entries: batch.map((item) => item.entry) }), {
        abortSignal: signal,
      });
    } catch (error) {
      throw toCoreError(error, signal);
    }
  }
}

/** Greedy batches of at most 10 entries and 256 KB, in publish order. */
function batches(pending: readonly Pending[]): Pending[][] {
  const result: Pending[][] = [];
  let current: Pending[] = [];
  let bytes = 0;
  for (const item of pending) {
    if (current.length === MAX_ENTRIES || bytes + item.bytes > MAX_BYTES) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/** An entry's size as EventBridge documents it: 14 bytes for Time, plus the UTF-8 bytes of the text fields. */
function entrySize(entry: PutEventsRequestEntry): number {
  const utf8 = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  return (
    (entry.Time ? 14 : 0) +
    utf8(entry.Source) +
    utf8(entry.DetailType) +
    utf8(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, resource) => sum + utf8(resource), 0)
  );
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  rejectIfAborted(SERVICE, signal);
}

function toCoreError(error: unknown, signal: AbortSignal | undefined): CoreError {
  return translateServiceError(EVENTBRIDGE_ERRORS, error, { signal, operation: 'PutEvents' });
}
