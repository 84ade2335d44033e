import { CapabilityMissingError, ValidationError } from '../errors.js';
import type { SpeechRecognizer } from '../ports/speech-recognizer.js';
import type { TurnInput } from '../model/turn.js';

/** Turns the input into text: audio through the recognizer, text as given (trimmed). */
export async function transcribe(
  input: TurnInput,
  recognizer: SpeechRecognizer | undefined,
  language: string,
  hints: readonly string[],
  signal?: AbortSignal,
): Promise<string> {
  if (input.kind === 'text') return input.text.trim();
  if (!recognizer) {
    throw new CapabilityMissingError('audio input needs a speech recognizer, and none is configured; send text instead');
  }
  if (!recognizer.capabilities.formats.includes(input.audio.format)) {
    throw new ValidationError(
      `audio format "${input.audio.format}" is not supported; use one of: ${recognizer.capabilities.formats.join(', ')}`,
    );
  }
  const transcript = await recognizer.transcribe({ audio: input.audio, language, hints, ...(signal && { signal }) });
  return transcript.text.trim();
}
