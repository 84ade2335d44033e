/** The options every port method that may do I/O accepts: the caller's cancellation signal. */
export interface IoOptions {
  signal?: AbortSignal;
}
