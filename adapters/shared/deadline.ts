/**
 * A time limit that can be re-armed, so a stream fails on silence rather than on its total length: arm it when
 * waiting starts, clear it while the caller consumes what arrived, and arm it again before the next wait.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** True once the limit passed; a caller's own abort never sets it, so the two are reported differently. */
  timedOut = false;

  constructor(private readonly ms: number) {
    this.arm();
  }

  /** The signal to hand a client: fires on timeout, on `cancel`, or when the caller's own signal fires. */
  link(caller: AbortSignal | undefined): AbortSignal {
    return caller ? AbortSignal.any([this.controller.signal, caller]) : this.controller.signal;
  }

  /** Starts (or restarts) the wait from now. */
  arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new DOMException(`no answer within ${this.ms} ms`, 'TimeoutError'));
    }, this.ms);
  }

  /** Pauses the limit, e.g. while a consumer holds a chunk. */
  clear(): void {
    clearTimeout(this.timer);
  }

  /** Ends the call: stops the timer and aborts whatever still listens, such as a stream the consumer left early. */
  cancel(): void {
    clearTimeout(this.timer);
    this.controller.abort();
  }
}
