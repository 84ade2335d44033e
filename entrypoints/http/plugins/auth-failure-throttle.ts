export interface AuthFailureLimit {
  /** Failed authentications allowed per client address per window; the next request is refused until it ends. */
  max: number;
  timeWindowMs: number;
}

interface Window {
  failures: number;
  resetsAt: number;
}

/** Addresses tracked at most; beyond it the oldest windows are dropped, so a flood of addresses cannot exhaust memory. */
const MAX_TRACKED = 50_000;

/**
 * Counts failed authentications per client address in fixed windows. The per-user rate limiter cannot see these
 * requests (they have no user), so without this a client could try tokens as fast as the server verifies them.
 */
export class AuthFailureThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: AuthFailureLimit,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Seconds until `address` may try again, or 0 when it is not throttled. */
  retryAfterSeconds(address: string): number {
    const window = this.current(address);
    if (!window || window.failures < this.limit.max) return 0;
    return Math.max(1, Math.ceil((window.resetsAt - this.now()) / 1000));
  }

  recordFailure(address: string): void {
    const window = this.current(address);
    if (window) {
      window.failures += 1;
      return;
    }
    if (this.windows.size >= MAX_TRACKED) this.evict();
    this.windows.set(address, { failures: 1, resetsAt: this.now() + this.limit.timeWindowMs });
  }

  private current(address: string): Window | undefined {
    const window = this.windows.get(address);
    if (window && window.resetsAt <= this.now()) {
      this.windows.delete(address);
      return undefined;
    }
    return window;
  }

  /** Drops expired windows, and the oldest tenth if all are live (a Map iterates oldest first). */
  private evict(): void {
    const now = this.now();
    for (const [address, window] of this.windows) if (window.resetsAt <= now) this.windows.delete(address);
    if (this.windows.size < MAX_TRACKED) return;
    let drop = Math.ceil(MAX_TRACKED / 10);
    for (const address of this.windows.keys()) {
      if (drop-- <= 0) break;
      this.windows.delete(address);
    }
  }
}
