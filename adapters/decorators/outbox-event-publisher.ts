import { isCoreError, ErrorCodes, throwIfAborted } from '../../core/errors.js';
import type { DomainEvent } from '../../core/model/events.js';
import type { IoOptions } from '../../core/model/io.js';
import type { EventPublisher } from '../../core/ports/event-publisher.js';
import type { EventRelay } from '../../core/ports/event-relay.js';
import { noopTelemetry } from '../../core/defaults.js';
import { type Telemetry } from '../../core/ports/telemetry.js';
import type { OutboxStore } from '../shared/outbox-store.js';

export interface OutboxEventPublisherOptions {
  /** The real transport (in-process bus, EventBridge, ...). */
  inner: EventPublisher;
  outbox: OutboxStore;
  telemetry?: Telemetry;
  /** How often the timer started by `start()` retries the outbox; default 5 s. */
  retryIntervalMs?: number;
  /** Events handed to the inner publisher per call while draining; default 25. */
  maxBatch?: number;
}

export interface DrainResult {
  delivered: number;
  /** Set when the inner publisher or the outbox failed; what was not delivered stays in the outbox. */
  error?: unknown;
}

/**
 * The relay of an outbox, and a publisher that does not lose events when its transport is down. A conversation store
 * writes a turn's events into the outbox with the turn; `deliverPending` (and the timer `start` runs) hands them to
 * the inner publisher. `publish`, for events written with nothing else, tries the inner publisher and, when it fails,
 * keeps the events in the outbox. `drain` re-publishes oldest first and forgets each batch only after the inner
 * publisher took it. Delivery is at least once (a crash between publish and removal repeats a batch), so consumers
 * deduplicate by event id.
 */
export class OutboxEventPublisher implements EventPublisher, EventRelay {
  private readonly inner: EventPublisher;
  private readonly outbox: OutboxStore;
  private readonly telemetry: Telemetry;
  private readonly retryIntervalMs: number;
  private readonly maxBatch: number;
  /**
   * Whether events may be waiting. It starts true because a durable outbox can hold events from before a restart, and
   * while it is true new events queue behind the old ones instead of overtaking them.
   */
  private backlog = true;
  /** Set by every append, so a drain that found the outbox empty looks once more before declaring it so. */
  private appended = false;
  private draining: Promise<DrainResult> | undefined;
  /** The drain that the `deliverPending` calls of this round of the event loop wait for, once it is scheduled. */
  private nudged: Promise<DrainResult> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: OutboxEventPublisherOptions) {
    this.inner = options.inner;
    this.outbox = options.outbox;
    this.telemetry = options.telemetry ?? noopTelemetry;
    this.retryIntervalMs = options.retryIntervalMs ?? 5000;
    this.maxBatch = options.maxBatch ?? 25;
    if (!(this.maxBatch >= 1 && this.retryIntervalMs > 0))
      throw new RangeError('OutboxEventPublisher: maxBatch must be >= 1 and retryIntervalMs > 0');
  }

  async publish({ events, signal }: { events: readonly DomainEvent[] } & IoOptions): Promise<void> {
    throwIfAborted(signal);
    if (events.length === 0) return;
    if (!this.backlog) {
      try {
        await this.inner.publish({ events, signal });
        return;
      } catch (error) {
        if (isCoreError(error) && error.code === ErrorCodes.ABORTED) throw error;
        this.telemetry.warn('publisher unavailable; events kept in the outbox', {
          error: messageOf(error),
          count: events.length,
        });
        await this.enqueue(events);
        return;
      }
    }
    await this.enqueue(events);
    // Earlier events are waiting: deliver them and these, in order, before reporting success.
    await this.drain();
  }

  /** A store wrote events into the outbox: deliver them, and anything older, now; false when delivery failed. */
  async deliverPending(): Promise<boolean> {
    this.backlog = true;
    // Tells a drain in flight to look again, should it have peeked before the store's write committed.
    this.appended = true;
    // The calls of one round of the event loop share one drain, which starts after all of them (setImmediate): under
    // load several turns finish per round, and their events are read, handed over and forgotten together, one outbox
    // read and one removal instead of one each. Every caller still waits for a drain that began after its call.
    this.nudged ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.nudged = undefined;
      return this.drain();
    });
    const result = await this.nudged;
    return result.error === undefined;
  }

  /** Re-publishes pending events in order until the outbox is empty or the inner publisher fails. */
  drain(): Promise<DrainResult> {
    this.draining ??= this.drainLoop();
    return this.draining;
  }

  /** Starts retrying the outbox every `retryIntervalMs` (and once now). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.drain(), this.retryIntervalMs);
    // The retry timer alone must not keep a process alive that has nothing else to do.
    this.timer.unref();
    void this.drain();
  }

  /** Stops the retry timer and waits for a drain in flight, so the outbox can be closed safely afterwards. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.nudged;
    await this.draining;
  }

  /** How many events wait in the outbox. */
  pending(): Promise<number> {
    return this.outbox.size();
  }

  private async enqueue(events: readonly DomainEvent[]): Promise<void> {
    await this.outbox.append(events);
    this.backlog = true;
    this.appended = true;
    this.telemetry.metric('OutboxEnqueued', events.length, 'Count');
  }

  private async drainLoop(): Promise<DrainResult> {
    let delivered = 0;
    try {
      for (;;) {
        this.appended = false;
        const batch = await this.outbox.peek(this.maxBatch);
        if (batch.length === 0) {
          if (this.appended) continue;
          this.backlog = false;
          return { delivered };
        }
        await this.inner.publish({ events: batch.map((entry) => entry.event) });
        await this.outbox.remove(batch.map((entry) => entry.seq));
        delivered += batch.length;
        this.telemetry.metric('OutboxDelivered', batch.length, 'Count');
        // A short batch was everything pending when it was read; unless something was appended since, looking again
        // would only find the outbox empty.
        if (batch.length < this.maxBatch && !this.appended) {
          this.backlog = false;
          return { delivered };
        }
      }
    } catch (error) {
      this.telemetry.warn('outbox drain stopped; events stay pending', { error: messageOf(error), delivered });
      return { delivered, error };
    } finally {
      // Cleared in the same synchronous step as the last emptiness check, so a later append always starts a new drain.
      this.draining = undefined;
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
