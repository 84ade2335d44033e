import type { Telemetry } from '../../core/ports/telemetry.js';

/** Telemetry that buffers (Powertools metrics without dimensions) and must be told when to write. */
interface Flushable {
  flush(): void;
}

const isFlushable = (telemetry: Telemetry): telemetry is Telemetry & Flushable =>
  typeof (telemetry as Partial<Flushable>).flush === 'function';

/** CloudWatch keeps metrics at one-minute resolution: writing more often buys nothing. */
export const FLUSH_INTERVAL_MS = 60_000;

/**
 * A long-running process has no end of invocation to flush at, so its buffered metrics are written every minute and
 * once more when it stops; without this, the server's metrics would never leave the buffer. Telemetry that writes
 * at once (log lines) needs nothing.
 */
export function startPeriodicFlush(telemetry: Telemetry, intervalMs = FLUSH_INTERVAL_MS): { stop(): void } {
  if (!isFlushable(telemetry)) return { stop: () => undefined };
  const timer = setInterval(() => telemetry.flush(), intervalMs);
  // Never the reason the process stays up.
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      telemetry.flush();
    },
  };
}
