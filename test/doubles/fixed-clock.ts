import type { Clock } from '../../core/ports/clock.js';

/** A clock that stands still unless advanced; monotonic time advances by `stepMs` per read. */
export class FixedClock implements Clock {
  private mono = 0;
  constructor(
    private current = new Date('2026-03-01T09:30:00Z'),
    private readonly stepMs = 1,
  ) {}
  now(): Date {
    return new Date(this.current);
  }
  monotonicMs(): number {
    this.mono += this.stepMs;
    return this.mono;
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
