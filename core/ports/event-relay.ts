import type { IoOptions } from '../model/io.js';

/**
 * Delivers the events a conversation store wrote with its turns (its outbox) to the event transport, at least once,
 * oldest first; consumers deduplicate by event id. It runs by itself (a timer, a stream, a service outside this
 * process): `deliverPending` only asks it not to wait for its next round, so a turn's events follow its reply closely.
 */
export interface EventRelay {
  /**
   * Delivers what is waiting now; resolves `false` when delivery failed (the events stay and are retried later),
   * `true` when this process handed them over or the relay runs elsewhere. Never rejects.
   */
  deliverPending(request?: IoOptions): Promise<boolean>;
}
