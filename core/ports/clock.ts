export interface Clock {
  now(): Date;
  /** Milliseconds from an arbitrary origin that never goes backwards; for durations only. */
  monotonicMs(): number;
}
