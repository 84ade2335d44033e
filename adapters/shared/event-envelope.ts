import type { DomainEvent } from '../../core/model/events.js';

/** A domain event as it travels on an event bus: the fields EventBridge calls Source, DetailType, Detail and Time. */
export interface EventEnvelope {
  source: string;
  detailType: string;
  /** The event itself as JSON text; consumers parse it back and check it. */
  detail: string;
  time: Date;
}

/**
 * The one mapping of a domain event to the bus: the EventBridge publisher puts these fields on the bus, and the
 * DynamoDB store writes them on its event items for the stream's Pipe to put there, so both paths deliver the same.
 */
export function eventEnvelope(event: DomainEvent, source: string): EventEnvelope {
  return { source, detailType: event.type, detail: JSON.stringify(event), time: new Date(event.at) };
}
