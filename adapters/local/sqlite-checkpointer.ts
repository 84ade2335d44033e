import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import { groupCommitOf } from './sqlite-group-commit.js';

export interface SqliteCheckpointerOptions {
  /** How often the worker checkpoints the WAL; default 200 ms. */
  intervalMs?: number;
  /**
   * WAL frames (pages) past which the log must start over: the next round of writes waits for one checkpoint to copy
   * everything back, so the following write rewinds the WAL instead of growing it. Default 4000 (about 16 MB).
   */
  restartFrames?: number;
  /** Longest the writes wait for that checkpoint before going ahead anyway; default 1000 ms. */
  maxHoldMs?: number;
}

/** What the worker reports after each checkpoint: PRAGMA wal_checkpoint's row, or its failure. */
type Report = { log: number; checkpointed: number; busy: number } | { error: string };

/**
 * The worker's code, evaluated (not a file of its own: the built server and the TypeScript sources run it alike). It
 * opens its own connection to the file and, every interval or when asked, runs a PASSIVE checkpoint, which never takes
 * the write lock: the serving connection goes on reading and committing meanwhile. Each result goes back to the parent.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const checkpoint = () => {
  try {
    const row = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ log: row.log, checkpointed: row.checkpointed, busy: row.busy });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') return checkpoint();
  if (message === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

/**
 * Checkpoints the WAL of a file database from a worker thread instead of inside a commit on the event loop.
 *
 * SQLite's automatic checkpoint runs in the commit that takes the WAL past 1000 pages: it copies every page back into
 * the database file and syncs it (fsync) while the event loop waits, stalls of up to 170 ms under load. Here the
 * serving connection's automatic checkpoint is off (`wal_autocheckpoint = 0`), and a worker with a connection of its
 * own runs PASSIVE checkpoints, which copy and sync without the write lock, so commits go on meanwhile.
 *
 * A WAL rewinds to its start only at a write that finds it entirely copied back; under steady writes each checkpoint
 * may end with a few new frames behind it, and the log would only grow. So once it passes `restartFrames`, the next
 * round of the group commit waits (the event loop does not) for one more checkpoint, which then copies everything:
 * the writes after it rewind the log. Nothing about durability changes: a write's promise still settles after its
 * COMMIT, and a checkpoint only copies committed pages.
 */
export class SqliteCheckpointer {
  private readonly worker: Worker;
  private readonly restartFrames: number;
  private readonly maxHoldMs: number;
  private readonly db: Database;
  /** Set while a round of writes waits for a checkpoint; resolved by the next report (or the hold's time limit). */
  private release: (() => void) | undefined;
  private stopped: Promise<void> | undefined;
  /** The last report of the worker, for tests and diagnostics. */
  last: Report | undefined;

  constructor(db: Database, options: SqliteCheckpointerOptions = {}) {
    if (db.memory) throw new Error('SqliteCheckpointer: an in-memory database has no WAL to checkpoint');
    this.db = db;
    this.restartFrames = options.restartFrames ?? 4000;
    this.maxHoldMs = options.maxHoldMs ?? 1000;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        path: db.name,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        intervalMs: options.intervalMs ?? 200,
      },
    });
    // The checkpoints alone must not keep a process alive that has nothing else to do.
    this.worker.unref();
    this.worker.on('message', (report: Report) => this.onReport(report));
    this.worker.on('error', (error) => {
      this.last = { error: error.message };
      // Without its worker the log must still be checkpointed: SQLite's automatic checkpoint takes over again.
      this.restoreAutoCheckpoint();
      this.releaseHold();
    });
    db.pragma('wal_autocheckpoint = 0');
  }

  /** Asks for a checkpoint now (besides the periodic ones); the report arrives as a message. */
  checkpointNow(): void {
    this.worker.postMessage('checkpoint');
  }

  /**
   * Stops the worker (after the checkpoint it may be running) and turns SQLite's automatic checkpoint back on for the
   * serving connection, which checkpoints once more as it closes. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      const exited = once(this.worker, 'exit').catch(() => undefined);
      this.worker.postMessage('stop');
      const timer = setTimeout(() => void this.worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
      this.releaseHold();
      this.restoreAutoCheckpoint();
    })();
    return this.stopped;
  }

  private onReport(report: Report): void {
    this.last = report;
    if (this.release) {
      // The checkpoint a round of writes waited for: they commit now, and the first of them rewinds a log copied back
      // entirely. Another hold waits for a later report, so writes always get their turn between two holds.
      this.release();
      return;
    }
    if ('error' in report || this.stopped) return;
    // A log copied back entirely rewinds at the next write that starts after the checkpoint, but under steady writes
    // one always lands during it and the log goes on growing: a long log gets one checkpoint with the next round of
    // writes held, which then copies everything, so the round after it rewinds.
    if (report.log < this.restartFrames) return;
    const held = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.maxHoldMs);
      this.release = () => {
        clearTimeout(timer);
        this.release = undefined;
        resolve();
      };
    });
    groupCommitOf(this.db).holdUntil(held);
    this.checkpointNow();
  }

  private releaseHold(): void {
    this.release?.();
  }

  private restoreAutoCheckpoint(): void {
    if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
  }
}
