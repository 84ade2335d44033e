import type { DomainEvent } from '../../core/model/events.js';

/** One event waiting in the outbox; `seq` orders entries and names them for removal. */
export interface OutboxEntry {
  seq: number;
  event: DomainEvent;
}

/**
 * Where events wait when the publisher could not take them. Order is kept (oldest first), and appending an event
 * whose id is already pending is a no-op, so a retried append cannot queue it twice.
 */
export interface OutboxStore {
  append(events: readonly DomainEvent[]): Promise<void>;
  /** The oldest `limit` pending entries, oldest first; they stay pending until removed. */
  peek(limit: number): Promise<OutboxEntry[]>;
  /** Forgets delivered entries. */
  remove(seqs: readonly number[]): Promise<void>;
  /** How many entries are pending. */
  size(): Promise<number>;
}
