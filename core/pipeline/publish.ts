import type { DomainEvent } from '../model/events.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { Telemetry } from '../ports/telemetry.js';

/** Publishes the turn's events; a failing publisher never fails a turn that is already stored. */
export async function publish(publisher: EventPublisher, events: readonly DomainEvent[], telemetry: Telemetry): Promise<boolean> {
  try {
    await publisher.publish({ events });
    return true;
  } catch (error) {
    telemetry.metric('EventPublishFailed', events.length, 'Count');
    telemetry.error('publishing events failed', { error: error instanceof Error ? error.message : String(error), types: events.map((e) => e.type) });
    return false;
  }
}
