import type { DomainEvent, DomainEventType } from '../../core/events.js';
import type { EventPublisher } from '../../core/ports/event-publisher.js';

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

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (const event of events) {
      const targets = [...(this.listeners.get(event.type) ?? []), ...(this.listeners.get('*') ?? [])];
      for (const listener of targets) {
        queueMicrotask(() => {
          Promise.resolve()
            .then(() => listener(structuredClone(event)))
            .catch((error: unknown) => this.options.onListenerError?.(error, event));
        });
      }
    }
  }
}
