import type { Database } from 'better-sqlite3';
import { toCoreError } from './sqlite-database.js';

type Outcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

interface Waiting<I, O> {
  input: I;
  resolve: (value: O) => void;
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
 */
export class SqliteGroupCommit<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private readonly commitRound: (inputs: readonly I[]) => Outcome<O>[];

  /** `write` runs inside the round's transaction; `operation` names a failure, as `guarded` does. */
  constructor(
    db: Database,
    private readonly operation: string,
    write: (input: I) => O,
  ) {
    // Called inside the round's transaction, better-sqlite3 runs it in a savepoint, and rolls back to it on a throw.
    const each = db.transaction(write);
    const round = db.transaction((inputs: readonly I[]) =>
      inputs.map((input): Outcome<O> => {
        try {
          return { ok: true, value: each(input) };
        } catch (error) {
          // Some failures (disk full, I/O) make SQLite roll the whole transaction back: then no write of the round stands.
          if (!db.inTransaction) throw error;
          return { ok: false, error };
        }
      }),
    );
    this.commitRound = (inputs) => round.immediate(inputs);
  }

  /** Queues `input` for this round's commit; resolves with what `write` returned once it is committed. */
  run(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (this.waiting.length === 1) setImmediate(this.commit);
    });
  }

  private readonly commit = (): void => {
    const waiting = this.waiting;
    this.waiting = [];
    let outcomes: Outcome<O>[];
    try {
      outcomes = this.commitRound(waiting.map((w) => w.input));
    } catch (error) {
      // BEGIN or COMMIT failed, or the transaction was lost: nothing of this round was written.
      const failure = toCoreError(error, this.operation);
      for (const w of waiting) w.reject(failure);
      return;
    }
    outcomes.forEach((outcome, index) => {
      const w = waiting[index]!;
      if (outcome.ok) w.resolve(outcome.value);
      else w.reject(toCoreError(outcome.error, this.operation));
    });
  };
}
