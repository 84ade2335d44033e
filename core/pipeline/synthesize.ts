import type { Audio, AudioFormat } from '../model/audio.js';
import type { SpeechSynthesizer } from '../ports/speech-synthesizer.js';

export type SpeechOutcome = { audio: Audio } | { error: string };

/** Speaks the reply; a failure is returned, not thrown, because the text reply still stands. */
export async function synthesize(
  text: string,
  synthesizer: SpeechSynthesizer | undefined,
  options: { voice?: string; language: string; format?: AudioFormat; signal?: AbortSignal },
): Promise<SpeechOutcome> {
  if (!synthesizer) return { error: 'no speech synthesizer is configured' };
  const format = options.format ?? synthesizer.capabilities.formats[0];
  if (format && !synthesizer.capabilities.formats.includes(format)) {
    return { error: `speech format "${format}" is not supported; use one of: ${synthesizer.capabilities.formats.join(', ')}` };
  }
  const voice = options.voice && synthesizer.capabilities.voices.includes(options.voice) ? options.voice : undefined;
  try {
    const audio = await synthesizer.synthesize({
      text,
      language: options.language,
      ...(voice && { voice }),
      ...(format && { format }),
      ...(options.signal && { signal: options.signal }),
    });
    return { audio };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
