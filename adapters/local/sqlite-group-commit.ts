import type { Database } from 'better-sqlite3';
import { toCoreError } from './sqlite-database.js';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Waiting {
  operation: string;
  write: () => unknown;
  /** Called with what `write` returned right after its commit, before any other code runs. */
  committed: ((value: never) => void) | undefined;
  resolve: (value: never) => void;
  reject: (error: unknown) => void;
}

/** A write that rides on the next round instead of starting one (see `ride`). */
interface Rider {
  write: () => void;
  /** Told once the round that carried the write is over: whether its write was committed. */
  settle: (committed: boolean) => void;
}

/** Thrown out of a round whose writes run without savepoints when one of them fails: the round is rolled back. */
class WriteFailed extends Error {
  constructor(
    readonly index: number,
    readonly failure: unknown,
  ) {
    super('a write of the round failed');
  }
}

/**
 * Writes that arrive in the same round of the event loop, committed together: one IMMEDIATE transaction per round
 * (started at the check phase of the loop's next iteration, so the requests read in that iteration's poll phase, which
 * reach their write within it, join the round too), each write in a savepoint of its own,
 * so a write that fails (a version conflict) rolls back alone and the others commit. A write's promise settles only
 * once the commit that holds it is done, so it is exactly as durable and as isolated as a transaction of its own.
 *
 * What it saves is the work of each commit: the locks (a dozen fcntl calls) and the WAL frames, one per page written,
 * which writes of the same round share (the conversations table and its index, the outbox). Under load several turns
 * finish per round; alone, a write waits for nothing but two turns of the event loop.
 *
 * One per connection (`groupCommitOf`), shared by every store on it. Writes that may wait (the outbox relay forgetting
 * what it delivered) ride on the next round the others start (`ride`) instead of committing on their own.
 */
export class SqliteGroupCommit {
  private waiting: Waiting[] = [];
  private riders: Rider[] = [];
  /** Set while a round is due (setImmediate, or a hold to wait for): writes queued meanwhile join it. */
  private scheduled = false;
  /** The timer that commits riders on their own when no write came to carry them. */
  private riderTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly riderDelays: number[] = [];
  /** While set, rounds wait for it before they commit (the checkpointer rewinding the WAL); the event loop does not. */
  private held: Promise<void> | undefined;
  private readonly commitRound: (waiting: readonly Waiting[], riders: readonly Rider[], isolated: boolean) => Outcome[];
  /** Riders of the round being committed whose write threw (and was left out). */
  private readonly failedRiders = new Set<Rider>();

  constructor(db: Database) {
    // Called inside the round's transaction, better-sqlite3 runs it in a savepoint, and rolls back to it on a throw.
    const each = db.transaction((write: () => unknown) => write());
    const round = db.transaction(
      (waiting: readonly Waiting[], riders: readonly Rider[], isolated: boolean): Outcome[] => {
        // Riders first, without savepoints: a rider's statements are each atomic, and one that fails while SQLite keeps
        // the transaction open is left out (settled as not committed) while the round's other writes go on.
        for (const rider of riders) {
          try {
            rider.write();
          } catch (error) {
            if (!db.inTransaction) throw error;
            this.failedRiders.add(rider);
          }
        }
        if (!isolated) {
          // Without savepoints (two statements and a copy of each page a write changes into the statement journal,
          // per write): writes almost never fail (a version conflict, a broken statement), and when one does the whole
          // round is rolled back and goes again with each write in a savepoint of its own, so the failure stays its own.
          const outcomes: Outcome[] = [];
          for (let index = 0; index < waiting.length; index += 1) {
            try {
              outcomes.push({ ok: true, value: waiting[index]!.write() });
            } catch (error) {
              throw new WriteFailed(index, error);
            }
          }
          return outcomes;
        }
        return waiting.map((w): Outcome => {
          try {
            return { ok: true, value: each(w.write) };
          } catch (error) {
            // Some failures (disk full, I/O) make SQLite roll the whole transaction back: then no write of the round stands.
            if (!db.inTransaction) throw error;
            return { ok: false, error };
          }
        });
      },
    );
    this.commitRound = (waiting, riders, isolated) => round.immediate(waiting, riders, isolated);
  }

  /**
   * Queues `write` (synchronous statements on this connection) for this round's commit; resolves with what it returned
   * once that is committed. `operation` names a failure, as `guarded` does. `committed`, when given, is called with
   * that value as soon as the COMMIT is done, before any other code could read what was written (a store keeping what
   * it knows of its rows in step).
   */
  run<O>(operation: string, write: () => O, committed?: (value: O) => void): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ operation, write, committed, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Queues `write` to ride on the next round rather than start one: it runs first in that round's transaction and
   * commits with the round's writes, so it costs no commit of its own while other writes keep coming; when none comes
   * within `withinMs`, a round commits it alone. `settle` learns, once its round is over, whether the write was
   * committed (a failed one is not tried again). Only for writes that may wait, and that a crash meanwhile may lose
   * without harm: forgetting delivered outbox events, which would only be delivered again.
   */
  ride(write: () => void, settle: (committed: boolean) => void, withinMs: number): void {
    this.riders.push({ write, settle });
    this.armRiderTimer(withinMs);
  }

  /** Commits whatever is queued, riders included, at the end of this round of the event loop. */
  flush(): Promise<void> {
    return this.run('flush', () => undefined);
  }

  /** Holds every round until `until` settles: writes queue meanwhile, and commit together once it has. */
  holdUntil(until: Promise<void>): void {
    const held: Promise<void> = until
      .catch(() => undefined)
      .then(() => {
        if (this.held === held) this.held = undefined;
      });
    this.held = held;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.settle);
  }

  /**
   * The check phase right after the first write: one more iteration of the loop before committing, so the requests
   * its poll phase reads (a turn runs to its write without waiting on I/O) join this round. Under the bench's load that
   * made rounds larger and the server's CPU per turn 12-23 us lower; a write alone waits one empty iteration more.
   */
  private readonly settle = (): void => {
    setImmediate(this.commit);
  };

  private armRiderTimer(withinMs: number): void {
    this.riderDelays.push(withinMs);
    if (this.scheduled || this.riderTimer) return;
    this.riderTimer = setTimeout(
      () => {
        this.riderTimer = undefined;
        if (this.riders.length > 0) this.schedule();
      },
      Math.min(...this.riderDelays.splice(0)),
    );
    // Riders alone must not keep a process alive: they only spare work that would be done again.
    this.riderTimer.unref();
  }

  private readonly commit = (): void => {
    if (this.held) {
      void this.held.then(this.commit);
      return;
    }
    this.scheduled = false;
    const waiting = this.waiting;
    const riders = this.riders;
    this.waiting = [];
    this.riders = [];
    this.riderDelays.length = 0;
    if (this.riderTimer) {
      clearTimeout(this.riderTimer);
      this.riderTimer = undefined;
    }
    let outcomes: Outcome[];
    try {
      try {
        outcomes = this.commitRound(waiting, riders, false);
      } catch (error) {
        if (!(error instanceof WriteFailed) || waiting.length === 1) throw error;
        // One write failed and everything was rolled back: again, each write in a savepoint, so only it fails.
        this.failedRiders.clear();
        outcomes = this.commitRound(waiting, riders, true);
      }
    } catch (error) {
      this.failedRiders.clear();
      if (error instanceof WriteFailed) {
        // The round's one write failed (and everything was rolled back): the riders go with the next round.
        waiting[0]!.reject(toCoreError(error.failure, waiting[0]!.operation));
        if (riders.length > 0) {
          this.riders.unshift(...riders);
          this.armRiderTimer(0);
        }
        return;
      }
      // BEGIN or COMMIT failed, or the transaction was lost: nothing of this round was written.
      for (const rider of riders) rider.settle(false);
      for (const w of waiting) w.reject(toCoreError(error, w.operation));
      return;
    }
    for (const rider of riders) rider.settle(!this.failedRiders.has(rider));
    this.failedRiders.clear();
    outcomes.forEach((outcome, index) => {
      if (outcome.ok) waiting[index]!.committed?.(outcome.value as never);
    });
    outcomes.forEach((outcome, index) => {
      const w = waiting[index]!;
      if (outcome.ok) w.resolve(outcome.value as never);
      else w.reject(toCoreError(outcome.error, w.operation));
    });
  };
}

const perConnection = new WeakMap<Database, SqliteGroupCommit>();

/** The group commit of `db`, made on first use: every store on one connection shares its rounds. */
export function groupCommitOf(db: Database): SqliteGroupCommit {
  let commit = perConnection.get(db);
  if (!commit) {
    commit = new SqliteGroupCommit(db);
    perConnection.set(db, commit);
  }
  return commit;
}
