import type { DomainEvent } from '../model/events.js';

export interface EventPublisher {
  /** Publishes every event or throws; a partial failure must not be reported as success. */
  publish(events: readonly DomainEvent[], options?: { signal?: AbortSignal }): Promise<void>;
}
