import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgeEventPublisher } from '../../../adapters/aws/eventbridge-event-publisher.js';
import { AbortedError, DependencyUnavailableError, ValidationError } from '../../../core/errors.js';
import type { DomainEvent, UserInteraction } from '../../../core/model/events.js';
import { describeEventPublisherContract } from '../../contract/event-publisher.contract.js';
import { freePort } from '../../fakes/free-port.js';
import { startEventBridgeFake, type EventBridgeFake } from '../../fakes/aws/eventbridge-fake.js';
import { TEST_AWS_CLIENT_CONFIG } from '../../fakes/aws/fake-aws-server.js';

const BUS = 'assistant-bus';
const SOURCE = 'voice-assistant';

const clientFor = (endpoint: string, maxAttempts = 1) =>
  new EventBridgeClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint, maxAttempts });

describeEventPublisherContract('EventBridgeEventPublisher against a local EventBridge', async () => {
  const fake = await startEventBridgeFake();
  const client = clientFor(fake.url);
  return {
    publisher: new EventBridgeEventPublisher({ eventBusName: BUS, source: SOURCE, client }),
    received: async () => fake.events(),
    dispose: async () => {
      client.destroy();
      await fake.close();
    },
  };
});

function interaction(text = 'what is the weather in Oslo'): UserInteraction {
  return {
    type: 'UserInteraction',
    id: `evt-${randomUUID()}`,
    at: '2026-03-01T09:30:00.250Z',
    userId: 'user-1',
    conversationId: 'conv-1',
    turnId: 'turn-1',
    text,
    inputMode: 'text',
    intent: 'weather.current',
    confidence: 0.9,
  };
}
const many = (count: number, text?: string) => Array.from({ length: count }, () => interaction(text));
const ids = (events: readonly DomainEvent[]) => events.map((e) => e.id).sort();

describe('EventBridgeEventPublisher', () => {
  let fake: EventBridgeFake;
  let client: EventBridgeClient;
  const publisher = (options: { maxRetries?: number; via?: EventBridgeClient } = {}) =>
    new EventBridgeEventPublisher({
      eventBusName: BUS,
      source: SOURCE,
      client: options.via ?? client,
      retryBaseDelayMs: 1,
      ...(options.maxRetries !== undefined && { maxRetries: options.maxRetries }),
    });

  const start = async () => {
    fake = await startEventBridgeFake();
    client = clientFor(fake.url);
  };
  afterEach(async () => {
    client?.destroy();
    await fake?.close();
  });

  it('sends each event with its type as detail-type, itself as JSON detail, its time, the source and the bus', async () => {
    await start();
    const event = interaction();
    await publisher().publish({ events: [event] });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toEqual([
      {
        EventBusName: BUS,
        Source: SOURCE,
        DetailType: 'UserInteraction',
        Detail: JSON.stringify(event),
        Time: '2026-03-01T09:30:00.250Z',
        Resources: [],
        eventId: event.id,
      },
    ]);
  });

  it('sends at most 10 entries per request', async () => {
    await start();
    const events = many(25);
    await publisher().publish({ events });
    expect(fake.requests.map((r) => r.length)).toEqual([10, 10, 5]);
    expect(fake.requests.flat().map((e) => e.eventId)).toEqual(events.map((e) => e.id));
  });

  it('keeps every request within 256 KB, counting bytes as EventBridge does', async () => {
    await start();
    // About 40 KB each: six fit in 256 KB, a seventh would not.
    const events = many(9, 'ü'.repeat(20_000));
    await publisher().publish({ events });
    expect(fake.requests.map((r) => r.length)).toEqual([6, 3]);
    expect(ids(fake.events())).toEqual(ids(events));
  });

  it('refuses an event over 256 KB with ValidationError and sends nothing of the batch', async () => {
    await start();
    const huge = interaction('x'.repeat(256 * 1024));
    const failure = await publisher()
      .publish({ events: [interaction(), huge] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ValidationError);
    expect(failure).toMatchObject({ details: { eventId: huge.id } });
    expect(fake.requests).toEqual([]);
  });

  it('re-sends only the entries EventBridge reported as failed, until all are published', async () => {
    await start();
    const events = many(5);
    fake.failOnce(events[1]!.id, 'ThrottlingException');
    fake.failOnce(events[3]!.id, 'InternalFailure');
    await publisher().publish({ events });
    expect(fake.requests.map((r) => r.map((e) => e.eventId))).toEqual([
      events.map((e) => e.id),
      [events[1]!.id, events[3]!.id],
    ]);
    expect(ids(fake.events())).toEqual(ids(events));
    expect(fake.published).toHaveLength(5);
  });

  it('throws a retryable DependencyUnavailableError naming what still failed after maxRetries, having published the rest', async () => {
    await start();
    const events = many(12);
    const stuck = events[11]!;
    fake.failAlways(stuck.id, 'InternalFailure');
    const failure = await publisher({ maxRetries: 2 })
      .publish({ events })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DependencyUnavailableError);
    expect(failure).toMatchObject({
      retryable: true,
      details: { failed: [{ id: stuck.id, code: 'InternalFailure' }], published: 11 },
    });
    expect((failure as Error).message).toContain(`${stuck.id} (InternalFailure)`);
    expect(fake.requests.map((r) => r.length)).toEqual([10, 2, 1, 1]);
    expect(ids(fake.events())).toEqual(ids(events.slice(0, 11)));
  });

  it('does not re-send an entry the bus refuses for good, and says retrying will not help', async () => {
    await start();
    const [bad, good] = many(2);
    fake.failAlways(bad!.id, 'MalformedDetail');
    const failure = await publisher()
      .publish({ events: [bad!, good!] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DependencyUnavailableError);
    expect(failure).toMatchObject({
      retryable: false,
      details: { failed: [{ id: bad!.id, code: 'MalformedDetail' }] },
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('maps a throttled request to a retryable DependencyUnavailableError, and the SDK retry gets it through', async () => {
    await start();
    fake.throttle(1);
    const failure = await publisher()
      .publish({ events: many(1) })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DependencyUnavailableError);
    expect(failure).toMatchObject({ retryable: true, cause: { name: 'ThrottlingException' } });

    fake.throttle(1);
    const retrying = clientFor(fake.url, 3);
    const events = many(2);
    await publisher({ via: retrying }).publish({ events });
    expect(ids(fake.events())).toEqual(ids(events));
    retrying.destroy();
  });

  it('maps a refused connection to a retryable DependencyUnavailableError', async () => {
    await start();
    const closed = clientFor(`http://127.0.0.1:${await freePort()}`);
    const failure = await publisher({ via: closed })
      .publish({ events: many(1) })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DependencyUnavailableError);
    expect(failure).toMatchObject({ retryable: true, dependency: 'eventbridge' });
    closed.destroy();
  });

  it('stops waiting to re-send when the caller aborts, with AbortedError', async () => {
    await start();
    const controller = new AbortController();
    const events = many(2);
    fake.failOnce(events[0]!.id);
    // Aborts as soon as the first answer is in, so the abort lands in the backoff before the re-send.
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        controller.abort(new Error('caller hung up'));
        return result;
      },
      { step: 'initialize' },
    );
    const slow = new EventBridgeEventPublisher({
      eventBusName: BUS,
      source: SOURCE,
      client,
      retryBaseDelayMs: 600_000,
    });
    await expect(slow.publish({ events, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(fake.requests).toHaveLength(1);
  });
});
