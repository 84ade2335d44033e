import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../core/model/events.js';
import { InProcessEventPublisher } from '../../../adapters/local/in-process-event-publisher.js';
import { describeEventPublisherContract } from '../../contract/event-publisher.contract.js';

// Listeners run on microtasks queued by publish; one macrotask turn later they have all run.
const drained = () => new Promise<void>((resolve) => setImmediate(resolve));

describeEventPublisherContract('InProcessEventPublisher', async () => {
  const publisher = new InProcessEventPublisher();
  const seen: DomainEvent[] = [];
  publisher.subscribe('*', (event) => void seen.push(event));
  return { publisher, received: async () => (await drained(), [...seen]) };
});

const base = { at: '2026-03-01T09:30:00.000Z', userId: 'u1', conversationId: 'c1' };
const started = (id: string): DomainEvent => ({ ...base, type: 'SessionStarted', id });

describe('InProcessEventPublisher', () => {
  it('never fails publish for a throwing or rejecting listener, and reports both to onListenerError', async () => {
    const failures: { error: unknown; event: DomainEvent }[] = [];
    const publisher = new InProcessEventPublisher({
      onListenerError: (error, event) => void failures.push({ error, event }),
    });
    const healthy: string[] = [];
    publisher.subscribe('SessionStarted', () => {
      throw new Error('sync boom');
    });
    publisher.subscribe('*', async () => {
      throw new Error('async boom');
    });
    publisher.subscribe('*', (event) => void healthy.push(event.id));
    await expect(publisher.publish({ events: [started('e1')] })).resolves.toBeUndefined();
    await drained();
    expect(healthy).toEqual(['e1']);
    expect(failures.map((f) => (f.error as Error).message).sort()).toEqual(['async boom', 'sync boom']);
    expect(failures.map((f) => f.event.id)).toEqual(['e1', 'e1']);
  });

  it('survives an onListenerError hook that throws itself', async () => {
    const publisher = new InProcessEventPublisher({
      onListenerError: () => {
        throw new Error('hook boom');
      },
    });
    const healthy: string[] = [];
    publisher.subscribe('*', () => {
      throw new Error('listener boom');
    });
    publisher.subscribe('*', (event) => void healthy.push(event.id));
    await expect(publisher.publish({ events: [started('e2')] })).resolves.toBeUndefined();
    await drained();
    expect(healthy).toEqual(['e2']);
  });

  it('delivers only the subscribed type, and nothing after unsubscribing', async () => {
    const publisher = new InProcessEventPublisher();
    const errors: string[] = [];
    const unsubscribe = publisher.subscribe('SystemError', (event) => void errors.push(event.id));
    const failure: DomainEvent = {
      ...base,
      type: 'SystemError',
      id: 'x1',
      code: 'INTERNAL',
      step: 'respond',
      message: 'boom',
    };
    await publisher.publish({ events: [started('s1'), failure] });
    await drained();
    unsubscribe();
    await publisher.publish({ events: [{ ...failure, id: 'x2' }] });
    await drained();
    expect(errors).toEqual(['x1']);
  });
});
