/** Stable machine codes for every failure the core can report; entrypoints map them to HTTP, Lex or Lambda shapes. */
export const ErrorCodes = {
  VALIDATION: 'VALIDATION',
  NOT_FOUND: 'NOT_FOUND',
  CONVERSATION_NOT_FOUND: 'CONVERSATION_NOT_FOUND',
  VERSION_CONFLICT: 'VERSION_CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  DEPENDENCY_UNAVAILABLE: 'DEPENDENCY_UNAVAILABLE',
  LLM_UNAVAILABLE: 'LLM_UNAVAILABLE',
  SPEECH_UNAVAILABLE: 'SPEECH_UNAVAILABLE',
  CAPABILITY_MISSING: 'CAPABILITY_MISSING',
  TIMEOUT: 'TIMEOUT',
  ABORTED: 'ABORTED',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface CoreErrorOptions extends ErrorOptions {
  retryable?: boolean;
  retryAfterSeconds?: number;
  details?: Record<string, unknown>;
}

/** Base of every error the core and its adapters raise on purpose. */
export class CoreError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: CoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CoreError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }
}

export class ValidationError extends CoreError {
  constructor(message: string, options: CoreErrorOptions = {}) {
    super(ErrorCodes.VALIDATION, message, options);
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends CoreError {
  constructor(message: string, options: CoreErrorOptions = {}) {
    super(ErrorCodes.NOT_FOUND, message, options);
    this.name = 'NotFoundError';
  }
}

export class ConversationNotFoundError extends CoreError {
  constructor(
    readonly conversationId: string,
    options: CoreErrorOptions = {},
  ) {
    super(ErrorCodes.CONVERSATION_NOT_FOUND, `conversation ${conversationId} not found`, options);
    this.name = 'ConversationNotFoundError';
  }
}

/** Another writer changed the conversation since it was read; the caller may re-read and try again. */
export class VersionConflictError extends CoreError {
  constructor(
    readonly conversationId: string,
    readonly expectedVersion: number,
    options: CoreErrorOptions = {},
  ) {
    super(ErrorCodes.VERSION_CONFLICT, `conversation ${conversationId} changed since version ${expectedVersion}`, {
      retryable: true,
      ...options,
    });
    this.name = 'VersionConflictError';
  }
}

/** A store, model, or service the turn depends on cannot be reached right now. */
export class DependencyUnavailableError extends CoreError {
  constructor(
    readonly dependency: string,
    message: string,
    options: CoreErrorOptions = {},
  ) {
    const retryable = options.retryable ?? true;
    super(ErrorCodes.DEPENDENCY_UNAVAILABLE, `${dependency}: ${message}`, {
      ...options,
      retryable,
      retryAfterSeconds: retryable ? (options.retryAfterSeconds ?? 1) : undefined,
    });
    this.name = 'DependencyUnavailableError';
  }
}

export class LanguageModelUnavailableError extends CoreError {
  constructor(message: string, options: CoreErrorOptions = {}) {
    super(ErrorCodes.LLM_UNAVAILABLE, message, { retryable: true, ...options });
    this.name = 'LanguageModelUnavailableError';
  }
}

export class SpeechUnavailableError extends CoreError {
  constructor(message: string, options: CoreErrorOptions = {}) {
    super(ErrorCodes.SPEECH_UNAVAILABLE, message, { retryable: true, ...options });
    this.name = 'SpeechUnavailableError';
  }
}

/** The request needs something this deployment was not configured with (e.g. audio input without a recognizer). */
export class CapabilityMissingError extends CoreError {
  constructor(message: string, options: CoreErrorOptions = {}) {
    super(ErrorCodes.CAPABILITY_MISSING, message, options);
    this.name = 'CapabilityMissingError';
  }
}

export class AbortedError extends CoreError {
  constructor(message = 'operation aborted', options: CoreErrorOptions = {}) {
    super(ErrorCodes.ABORTED, message, options);
    this.name = 'AbortedError';
  }
}

export function isCoreError(value: unknown): value is CoreError {
  return value instanceof CoreError;
}

/** Throws AbortedError when the signal has fired, so long steps stop early. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError('turn aborted by caller', { cause: signal.reason });
}

export class UnauthenticatedError extends CoreError {
  constructor(message: string, options: CoreErrorOptions = {}) {
    super(ErrorCodes.UNAUTHENTICATED, message, options);
    this.name = 'UnauthenticatedError';
  }
}
