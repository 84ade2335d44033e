import type { DomainEvent } from '../../core/model/events.js';
import type { OutboxEntry, OutboxStore } from '../shared/outbox-store.js';
import { plainCopy } from '../shared/plain-copy.js';

/** An outbox in process memory: survives an outage of the publisher, not a restart of the process. */
export class MemoryOutboxStore implements OutboxStore {
  private readonly entries = new Map<number, DomainEvent>();
  private readonly pendingIds = new Set<string>();
  private nextSeq = 1;

  async append(events: readonly DomainEvent[]): Promise<void> {
    this.add(events);
  }

  /** Appends at once, so a store can add events in the same synchronous step as the turns they belong to. */
  add(events: readonly DomainEvent[]): void {
    for (const event of events) {
      if (this.pendingIds.has(event.id)) continue;
      this.pendingIds.add(event.id);
      // plainCopy, as the memory stores copy: structuredClone's serialiser cost more than the rest of the append.
      this.entries.set(this.nextSeq, plainCopy(event));
      this.nextSeq += 1;
    }
  }

  async peek(limit: number): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = [];
    // A Map iterates in insertion order, which is seq order.
    for (const [seq, event] of this.entries) {
      if (entries.length >= limit) break;
      entries.push({ seq, event: plainCopy(event) });
    }
    return entries;
  }

  async remove(seqs: readonly number[]): Promise<void> {
    for (const seq of seqs) {
      const event = this.entries.get(seq);
      if (!event) continue;
      this.entries.delete(seq);
      this.pendingIds.delete(event.id);
    }
  }

  /** Forgets the pending events a predicate picks (a user's, when the user is erased). */
  forget(picked: (event: DomainEvent) => boolean): void {
    for (const [seq, event] of this.entries) {
      if (!picked(event)) continue;
      this.entries.delete(seq);
      this.pendingIds.delete(event.id);
    }
  }

  async size(): Promise<number> {
    return this.entries.size;
  }
}
