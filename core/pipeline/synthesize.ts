import type { TurnRecord } from '../model/turn.js';
import { loaded, required, signalOption } from './step-support.js';
import type { TurnDeps } from './turn-deps.js';
import { extend } from './extend.js';

/**
 * Speaks the stored reply when speech was asked for, and keeps the audio in the audio store. It runs after the turn
 * is stored, so a re-run after a version conflict never speaks twice; a failure is recorded, not thrown, because
 * the text reply stands.
 */
export async function synthesize(
  turn: TurnRecord,
  deps: Pick<TurnDeps, 'synthesizer' | 'audio' | 'signal'>,
): Promise<TurnRecord> {
  if (!turn.speech) return turn;
  const text = required(turn, 'response', 'synthesize').text;
  const { synthesizer } = deps;
  if (!synthesizer) return extend(turn, { speechOut: { error: 'no speech synthesizer is configured' } });
  const { formats, voices } = synthesizer.capabilities;
  const format = turn.speech.format ?? formats[0];
  if (format && !formats.includes(format)) {
    return {
      ...turn,
      speechOut: { error: `speech format "${format}" is not supported; use one of: ${formats.join(', ')}` },
    };
  }
  const preferences = loaded(turn, 'synthesize').preferences;
  const wanted = turn.speech.voice ?? preferences.voice;
  const voice = wanted && voices.includes(wanted) ? wanted : undefined;
  try {
    const audio = await synthesizer.synthesize({
      text,
      language: preferences.language,
      ...(voice && { voice }),
      ...(format && { format }),
      ...signalOption(deps.signal),
    });
    const ref = await deps.audio.put({ audio, ...signalOption(deps.signal) });
    return extend(turn, { speechOut: { audio: ref } });
  } catch (error) {
    if (deps.signal?.aborted) throw error;
    return extend(turn, { speechOut: { error: error instanceof Error ? error.message : String(error) } });
  }
}
