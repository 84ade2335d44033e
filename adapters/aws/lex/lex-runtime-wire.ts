import { createHash, randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { DependencyUnavailableError } from '../../../core/errors.js';
import type { ServiceErrorPolicy } from '../../shared/service-errors.js';

/** What both Lex adapters need to reach one bot alias in one locale. */
export interface LexBotAddress {
  botId: string;
  botAliasId: string;
  /** Lex's locale id, e.g. `en_US`. */
  localeId: string;
}

export const LEX = 'lex';

export const LEX_ERRORS: ServiceErrorPolicy = {
  adapter: LEX,
  // ConflictException: two requests on one session at once, which a retry resolves.
  unavailable: new Set([
    'ThrottlingException',
    'InternalServerException',
    'BadGatewayException',
    'DependencyFailedException',
    'ConflictException',
  ]),
  invalid: new Set(['ValidationException']),
  hints: {
    ResourceNotFoundException:
      'bot, alias or locale not found; check the bot id, alias id and locale, and that the locale is built',
    AccessDeniedException: 'access denied; check lex:RecognizeText / lex:RecognizeUtterance on the bot alias',
  },
  unavailableError: (detail, options) => new DependencyUnavailableError(LEX, detail, options),
};

/** Lex's session ids: 2 to 100 of these characters. */
const SESSION_ID = /^[0-9a-zA-Z._:-]{2,100}$/;

/**
 * The Lex session for a conversation: its own id when Lex accepts it, else a stable hash of it, so the same
 * conversation always lands in the same session. Without a conversation, a throwaway session.
 */
export function lexSessionId(conversationId: string | undefined): string {
  if (conversationId === undefined) return randomUUID();
  return SESSION_ID.test(conversationId)
    ? conversationId
    : `sha256:${createHash('sha256').update(conversationId).digest('hex')}`;
}

/**
 * Decodes a RecognizeUtterance response header. Lex gzips and base64-encodes these (the SDK passes them on as it got
 * them), and the payload is JSON: a JSON string for the transcript, objects and arrays for the rest.
 */
export function decodeLexHeader(value: string | undefined, header: string): unknown {
  if (value === undefined || value === '') return undefined;
  let text: string;
  try {
    text = gunzipSync(Buffer.from(value, 'base64')).toString('utf8');
  } catch (error) {
    throw new DependencyUnavailableError(LEX, `the ${header} header is not gzip+base64`, {
      cause: error,
      retryable: false,
    });
  }
  try {
    return JSON.parse(text);
  } catch {
    // Some answers carry the bare text rather than a JSON string; either way the text is what was meant.
    return text;
  }
}
