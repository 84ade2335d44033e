import { ErrorCodes } from '../errors.js';
import type { TurnFailure, TurnRecord } from '../model/turn.js';
import { publishSafely } from './publish.js';
import { signalOption } from './step-support.js';
import type { TurnDeps } from './turn-deps.js';

/** Failures caused by the request itself: the user hears what to do, and no SystemError is raised. */
const CALLER_CODES = new Set<string>([
  ErrorCodes.VALIDATION,
  ErrorCodes.NOT_FOUND,
  ErrorCodes.CONVERSATION_NOT_FOUND,
  ErrorCodes.UNAUTHENTICATED,
  ErrorCodes.FORBIDDEN,
  ErrorCodes.CAPABILITY_MISSING,
  ErrorCodes.ABORTED,
]);

/** The words spoken in place of an answer. */
export function apologyFor(code: string): string {
  if (code === ErrorCodes.VALIDATION) return "Sorry, I didn't catch that. Could you say it again?";
  if (CALLER_CODES.has(code)) return "Sorry, I can't do that here.";
  return "Sorry, something went wrong on my side and I couldn't answer that. Please try again in a moment.";
}

/**
 * The failure path of a turn run as a workflow: records a SystemError for failures of the system (not of the
 * request), and answers with a spoken apology. Nothing is stored: the conversation stays as it was.
 */
export async function recordFailure(
  turn: TurnRecord,
  deps: Pick<TurnDeps, 'events' | 'telemetry' | 'newId' | 'synthesizer' | 'audio' | 'signal'>,
  failure: Omit<TurnFailure, 'apology'>,
): Promise<TurnRecord> {
  const apology = apologyFor(failure.code);
  if (!CALLER_CODES.has(failure.code)) {
    deps.telemetry.metric('TurnFailed', 1, 'Count', { step: failure.step, code: failure.code });
    const event = {
      type: 'SystemError' as const,
      id: deps.newId(),
      at: turn.receivedAt,
      userId: turn.userId,
      conversationId: turn.conversationId,
      code: failure.code,
      step: failure.step,
      message: failure.message,
    };
    await publishSafely(deps.events, [event], deps.telemetry);
  }
  return { ...turn, failure: { ...failure, apology }, speechOut: await speak(apology, turn, deps) };
}

async function speak(
  text: string,
  turn: TurnRecord,
  deps: Pick<TurnDeps, 'synthesizer' | 'audio' | 'signal'>,
): Promise<TurnRecord['speechOut']> {
  if (!turn.speech) return undefined;
  if (!deps.synthesizer) return { error: 'no speech synthesizer is configured' };
  try {
    const language = turn.preferences?.language ?? 'en-US';
    const format = turn.speech.format ?? deps.synthesizer.capabilities.formats[0];
    const audio = await deps.synthesizer.synthesize({
      text,
      language,
      ...(format && { format }),
      ...signalOption(deps.signal),
    });
    return { audio: await deps.audio.put({ audio, ...signalOption(deps.signal) }) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
