import type { DomainEvent } from '../model/events.js';
import type { TurnRecord } from '../model/turn.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { Telemetry } from '../ports/telemetry.js';
import { required } from './step-support.js';
import type { TurnDeps } from './turn-deps.js';
import { extend } from './extend.js';

/**
 * The stored turn's events were written with it (persist); this step only asks the relay to deliver them now rather
 * than at its next round, so they are never published twice. A relay that cannot deliver is counted and retries by
 * itself; it never fails the stored turn. Without a relay the turn wrote no events, and there is nothing to do.
 */
export async function publish(turn: TurnRecord, deps: Pick<TurnDeps, 'relay' | 'telemetry'>): Promise<TurnRecord> {
  required(turn, 'stored', 'publish');
  if (!deps.relay) return turn;
  const published = await deps.relay.deliverPending();
  if (!published) deps.telemetry.metric('EventRelayDelayed', 1, 'Count');
  return extend(turn, { published });
}

/**
 * Publishes events, reporting a failure as `false` (counted and logged) instead of throwing. Without a publisher
 * (EVENTS=none) nothing takes them: `true`, as nothing failed.
 */
export async function publishSafely(
  publisher: EventPublisher | undefined,
  events: readonly DomainEvent[],
  telemetry: Telemetry,
): Promise<boolean> {
  if (!publisher) return true;
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
