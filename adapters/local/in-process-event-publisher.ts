import type { DomainEvent, DomainEventType } from '../../core/model/events.js';
import { throwIfAborted } from '../../core/errors.js';
import type { IoOptions } from '../../core/model/io.js';
import type { EventPublisher } from '../../core/ports/event-publisher.js';
import { plainCopy } from '../shared/plain-copy.js';

export type EventListener = (event: DomainEvent) => void | Promise<void>;

/**
 * An in-process bus: subscribers run after publish resolves, so a slow or failing listener never
 * delays or fails the turn. Listener failures go to `onListenerError`.
 */
export class InProcessEventPublisher implements EventPublisher {
  private readonly listeners = new Map<DomainEventType | '*', Set<EventListener>>();

  constructor(private readonly options: { onListenerError?: (error: unknown, event: DomainEvent) => void } = {}) {}

  subscribe(type: DomainEventType | '*', listener: EventListener): () => void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
    return () => set.delete(listener);
  }

  async publish({ events, signal }: { events: readonly DomainEvent[] } & IoOptions): Promise<void> {
    throwIfAborted(signal);
    for (const event of events) {
      const targets = [...(this.listeners.get(event.type) ?? []), ...(this.listeners.get('*') ?? [])];
      for (const listener of targets) {
        // Copied now, not when the listener runs, so a caller mutating the event after publish cannot change it.
        const copy = plainCopy(event);
        queueMicrotask(() => {
          Promise.resolve()
            .then(() => listener(copy))
            .catch((error: unknown) => this.reportListenerError(error, event));
        });
      }
    }
  }

  private reportListenerError(error: unknown, event: DomainEvent): void {
    try {
      this.options.onListenerError?.(error, event);
    } catch {
      // The error hook is the last line of reporting; letting it throw would surface as an unhandled rejection.
    }
  }
}
