import type { DomainEvent } from '../model/events.js';
import type { TurnRecord } from '../model/turn.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { Telemetry } from '../ports/telemetry.js';
import type { TurnDeps } from './turn-deps.js';
import { turnEvents } from './turn-events.js';
import { extend } from './extend.js';

/** Publishes the stored turn's events; a failing publisher is counted and never fails the stored turn. */
export async function publish(
  turn: TurnRecord,
  deps: Pick<TurnDeps, 'events' | 'telemetry' | 'newId'>,
): Promise<TurnRecord> {
  const published = await publishSafely(deps.events, turnEvents(turn, deps.newId), deps.telemetry);
  return extend(turn, { published });
}

/** Publishes events, reporting a failure as `false` (counted and logged) instead of throwing. */
export async function publishSafely(
  publisher: EventPublisher,
  events: readonly DomainEvent[],
  telemetry: Telemetry,
): Promise<boolean> {
  try {
    await publisher.publish({ events });
    return true;
  } catch (error) {
    telemetry.metric('EventPublishFailed', events.length, 'Count');
    telemetry.error('publishing events failed', {
      error: error instanceof Error ? error.message : String(error),
      types: events.map((event) => event.type),
    });
    return false;
  }
}
