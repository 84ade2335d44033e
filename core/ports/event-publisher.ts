import type { DomainEvent } from '../model/events.js';
import type { IoOptions } from '../model/io.js';

export interface EventPublisher {
  /** Publishes every event or throws; a partial failure must not be reported as success. */
  publish(request: { events: readonly DomainEvent[] } & IoOptions): Promise<void>;
}
