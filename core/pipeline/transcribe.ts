import { CapabilityMissingError, ValidationError } from '../errors.js';
import type { TurnRecord } from '../model/turn.js';
import { loaded, signalOption } from './step-support.js';
import type { TurnDeps } from './turn-deps.js';
import { extend } from './extend.js';

/**
 * Turns the input into text (audio through the recognizer, text as given, speech recognised while it arrived as
 * recognised) and checks it is usable: the same checks whichever way the text came.
 */
export async function transcribe(
  turn: TurnRecord,
  deps: Pick<TurnDeps, 'recognizer' | 'audio' | 'registry' | 'options' | 'signal'>,
): Promise<TurnRecord> {
  const { input } = turn;
  const recognised = input.kind === 'audio' ? input.recognised : undefined;
  const heard =
    input.kind === 'text' ? input.text.trim() : recognised ? recognised.text.trim() : await recognise(turn, deps);
  if (heard.length === 0) throw new ValidationError('the turn has no text (empty text or silent audio)');
  if (heard.length > deps.options.maxTextLength) {
    throw new ValidationError(`text is longer than ${deps.options.maxTextLength} characters`);
  }
  if (!recognised) return extend(turn, { heard });
  // Recognition happened before the turn; its time is the step's (runStep adds this step's own few microseconds).
  const ms = Number.isFinite(recognised.ms) && recognised.ms >= 0 ? recognised.ms : 0;
  return extend(turn, { heard, timings: extend(turn.timings, { transcribe: (turn.timings.transcribe ?? 0) + ms }) });
}

async function recognise(
  turn: TurnRecord,
  deps: Pick<TurnDeps, 'recognizer' | 'audio' | 'registry' | 'signal'>,
): Promise<string> {
  if (turn.input.kind !== 'audio') return '';
  const { recognizer } = deps;
  if (!recognizer) {
    throw new CapabilityMissingError(
      'audio input needs a speech recognizer, and none is configured; send text instead',
    );
  }
  const { format } = turn.input.audio;
  if (!recognizer.capabilities.formats.includes(format)) {
    throw new ValidationError(
      `audio format "${format}" is not supported; use one of: ${recognizer.capabilities.formats.join(', ')}`,
    );
  }
  const audio = await deps.audio.get({ ref: turn.input.audio, ...signalOption(deps.signal) });
  const transcript = await recognizer.transcribe({
    audio,
    language: loaded(turn, 'transcribe').preferences.language,
    hints: deps.registry.phrases(),
    ...signalOption(deps.signal),
  });
  return transcript.text.trim();
}
