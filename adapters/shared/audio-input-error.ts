import { ValidationError } from '../../core/errors.js';

/** Why audio input cannot be used; the HTTP edge maps each kind to its own problem. */
export type AudioInputProblem = 'unsupported' | 'corrupt' | 'empty' | 'silent' | 'too-long';

/** Audio input that cannot be decoded or used; a ValidationError, so anything that does not map it answers 400. */
export class AudioInputError extends ValidationError {
  constructor(
    readonly problem: AudioInputProblem,
    message: string,
    options: { cause?: unknown; limit?: number } = {},
  ) {
    super(`audio: ${message}`, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'AudioInputError';
    this.limit = options.limit;
  }

  /** The limit exceeded (seconds) for `too-long`. */
  readonly limit: number | undefined;
}
