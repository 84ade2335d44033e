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

/** Thrown out of a round whose writes run without savepoints when one of them fails: the round is rolled back. */
class WriteFailed extends Error {
  constructor(readonly failure: unknown) {
    super('a write of the round failed');
  }
}

/**
 * Writes that arrive in the same round of the event loop, committed together: one IMMEDIATE transaction per round
 * (started at the check phase of the loop's next iteration, so the requests read in that iteration's poll phase, which
 * reach their write within it, join the round too). A write that fails (a version conflict) rolls back alone and the
 * others commit. A write's promise settles only once the commit that holds it is done, so it is exactly as durable and
 * as isolated as a transaction of its own.
 *
 * What it saves is the work of each commit: the locks (a dozen fcntl calls) and the WAL frames, one per page written,
 * which writes of the same round share (the conversations table and its index, the outbox). Under load several turns
 * finish per round, and the outbox relay's removals of what it delivered join them; alone, a write waits for nothing
 * but two turns of the event loop.
 *
 * One per connection (`groupCommitOf`), shared by every store on it.
 */
export class SqliteGroupCommit {
  private waiting: Waiting[] = [];
  /** Set while a round is due (setImmediate, or a hold to wait for): writes queued meanwhile join it. */
  private scheduled = false;
  /** While set, rounds wait for it before they commit (the checkpointer rewinding the WAL); the event loop does not. */
  private held: Promise<void> | undefined;
  private readonly commitRound: (waiting: readonly Waiting[], isolated: boolean) => Outcome[];

  constructor(db: Database) {
    // Called inside the round's transaction, better-sqlite3 runs it in a savepoint, and rolls back to it on a throw.
    const each = db.transaction((write: () => unknown) => write());
    const round = db.transaction((waiting: readonly Waiting[], isolated: boolean): Outcome[] => {
      if (!isolated) {
        // Without savepoints (two statements and a copy of each page a write changes into the statement journal,
        // per write): writes almost never fail (a version conflict, a broken statement), and when one does the whole
        // round is rolled back and goes again with each write in a savepoint of its own, so the failure stays its own.
        const outcomes: Outcome[] = [];
        for (const w of waiting) {
          try {
            outcomes.push({ ok: true, value: w.write() });
          } catch (error) {
            throw new WriteFailed(error);
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
    });
    this.commitRound = (waiting, isolated) => round.immediate(waiting, isolated);
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

  /** Commits whatever is queued at the end of this round of the event loop. */
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

  private readonly commit = (): void => {
    if (this.held) {
      void this.held.then(this.commit);
      return;
    }
    this.scheduled = false;
    const waiting = this.waiting;
    this.waiting = [];
    let outcomes: Outcome[];
    try {
      try {
        outcomes = this.commitRound(waiting, false);
      } catch (error) {
        if (!(error instanceof WriteFailed)) throw error;
        // Alone in its round, the write that failed is all there was to roll back.
        if (waiting.length === 1) throw error.failure;
        // One write failed and everything was rolled back: again, each write in a savepoint, so only it fails.
        outcomes = this.commitRound(waiting, true);
      }
    } catch (error) {
      // BEGIN or COMMIT failed, the transaction was lost, or the round's one write failed: nothing was written.
      for (const w of waiting) w.reject(toCoreError(error, w.operation));
      return;
    }
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
