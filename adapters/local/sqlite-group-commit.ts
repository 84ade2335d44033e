import type { Database } from 'better-sqlite3';
import { toCoreError } from './sqlite-database.js';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Waiting {
  operation: string;
  write: () => unknown;
  resolve: (value: never) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes that arrive in the same round of the event loop, committed together: one IMMEDIATE transaction per round
 * (started by setImmediate, after every request of the round has had its turn), each write in a savepoint of its own,
 * so a write that fails (a version conflict) rolls back alone and the others commit. A write's promise settles only
 * once the commit that holds it is done, so it is exactly as durable and as isolated as a transaction of its own.
 *
 * What it saves is the work of each commit: the locks (a dozen fcntl calls) and the WAL frames, one per page written,
 * which writes of the same round share (the conversations table and its index, the outbox). Under load several turns
 * finish per round; alone, a write waits for nothing but the end of the round it arrived in.
 *
 * One per connection (`groupCommitOf`), shared by every store on it: the outbox relay's removal of the events it
 * delivered joins the round of the turns that finish meanwhile, instead of a commit of its own after every round.
 */
export class SqliteGroupCommit {
  private waiting: Waiting[] = [];
  /** While set, rounds wait for it before they commit (the checkpointer rewinding the WAL); the event loop does not. */
  private held: Promise<void> | undefined;
  private readonly commitRound: (waiting: readonly Waiting[]) => Outcome[];

  constructor(db: Database) {
    // Called inside the round's transaction, better-sqlite3 runs it in a savepoint, and rolls back to it on a throw.
    const each = db.transaction((write: () => unknown) => write());
    const round = db.transaction((waiting: readonly Waiting[]) =>
      // Alone in its round, a write needs no savepoint: the round's transaction is its own, and a throw rolls it back
      // and rejects it just as its savepoint would have (two statements fewer per commit when rounds are small).
      waiting.length === 1
        ? [{ ok: true as const, value: waiting[0]!.write() }]
        : waiting.map((w): Outcome => {
            try {
              return { ok: true, value: each(w.write) };
            } catch (error) {
              // Some failures (disk full, I/O) make SQLite roll the whole transaction back: then no write of the round stands.
              if (!db.inTransaction) throw error;
              return { ok: false, error };
            }
          }),
    );
    this.commitRound = (waiting) => round.immediate(waiting);
  }

  /**
   * Queues `write` (synchronous statements on this connection) for this round's commit; resolves with what it returned
   * once that is committed. `operation` names a failure, as `guarded` does.
   */
  run<O>(operation: string, write: () => O): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ operation, write, resolve, reject });
      if (this.waiting.length === 1) setImmediate(this.commit);
    });
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

  private readonly commit = (): void => {
    if (this.held) {
      void this.held.then(this.commit);
      return;
    }
    const waiting = this.waiting;
    this.waiting = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.commitRound(waiting);
    } catch (error) {
      // BEGIN or COMMIT failed, or the transaction was lost: nothing of this round was written.
      for (const w of waiting) w.reject(toCoreError(error, w.operation));
      return;
    }
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
