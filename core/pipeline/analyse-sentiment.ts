import { throwIfAborted } from '../errors.js';
import type { TurnRecord } from '../model/turn.js';
import { loaded, required, signalOption } from './step-support.js';
import type { TurnDeps } from './turn-deps.js';
import { extend } from './extend.js';

/**
 * Scores how the user sounds. Sentiment enriches analytics and never decides a reply, so a failure is counted and
 * logged, and the turn goes on without it.
 */
export async function analyseSentiment(
  turn: TurnRecord,
  deps: Pick<TurnDeps, 'sentiment' | 'telemetry' | 'signal'>,
): Promise<TurnRecord> {
  if (!deps.sentiment) return turn;
  const text = required(turn, 'heard', 'sentiment');
  try {
    const sentiment = await deps.sentiment.analyze({
      text,
      language: loaded(turn, 'sentiment').preferences.language,
      ...signalOption(deps.signal),
    });
    return extend(turn, { sentiment });
  } catch (error) {
    throwIfAborted(deps.signal);
    deps.telemetry.metric('SentimentFailed', 1, 'Count');
    deps.telemetry.warn('sentiment analysis failed; the turn goes on without it', { error: messageOf(error) });
    return turn;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
