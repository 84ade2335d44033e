import type { Audio, AudioRef } from '../model/audio.js';
import type { TurnRecord } from '../model/turn.js';
import type { TurnDeps } from './turn-deps.js';

/** The spoken reply's audio, fetched back from the store for a caller that wants it inline. */
export async function spokenAudio(turn: TurnRecord, deps: Pick<TurnDeps, 'audio'>): Promise<Audio | undefined> {
  if (!turn.speechOut || !('audio' in turn.speechOut)) return undefined;
  return deps.audio.get({ ref: turn.speechOut.audio });
}

/** Whether the turn put clips in the audio store (its input audio or its spoken reply), which releaseAudio forgets. */
export function holdsAudio(turn: TurnRecord): boolean {
  return turn.input.kind === 'audio' || (turn.speechOut !== undefined && 'audio' in turn.speechOut);
}

/** Forgets the clips an in-process turn put in the store; a failure to forget leaves them to the store's expiry. */
export async function releaseAudio(turn: TurnRecord, deps: Pick<TurnDeps, 'audio' | 'telemetry'>): Promise<void> {
  const refs: AudioRef[] = [];
  if (turn.input.kind === 'audio') refs.push(turn.input.audio);
  if (turn.speechOut && 'audio' in turn.speechOut) refs.push(turn.speechOut.audio);
  for (const ref of refs) {
    await deps.audio.delete({ ref }).catch((error: unknown) => {
      deps.telemetry.warn('could not forget a turn audio clip', { uri: ref.uri, error: String(error) });
    });
  }
}
