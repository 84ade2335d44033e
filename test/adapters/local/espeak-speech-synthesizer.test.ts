import EspeakInit, { type EspeakModule, type EspeakWorker } from '@echogarden/espeak-ng-emscripten';
import { describe, expect, it } from 'vitest';
import { EspeakSpeechSynthesizer } from '../../../adapters/local/espeak-speech-synthesizer.js';
import { parseWav } from '../../../adapters/shared/wav.js';
import { AbortedError, SpeechUnavailableError, ValidationError } from '../../../core/errors.js';
import { describeSpeechSynthesizerContract } from '../../contract/speech-synthesizer.contract.js';

describeSpeechSynthesizerContract('EspeakSpeechSynthesizer', async () => new EspeakSpeechSynthesizer());

const seconds = (data: Uint8Array) => {
  const wav = parseWav(data);
  return wav.samples.length / wav.sampleRate;
};

/** Loads the real module, recording each voice the adapter selects; eSpeak's output varies run to run, so bytes cannot tell. */
function recordingVoices(selected: string[]): () => Promise<EspeakModule> {
  return async () => {
    const real = await EspeakInit();
    function RecordingWorker(): EspeakWorker {
      const worker = new real.eSpeakNGWorker();
      const setVoice = worker.set_voice.bind(worker);
      worker.set_voice = (name) => {
        selected.push(name);
        return setVoice(name);
      };
      return worker;
    }
    return { eSpeakNGWorker: RecordingWorker as unknown as EspeakModule['eSpeakNGWorker'] };
  };
}

describe('EspeakSpeechSynthesizer', () => {
  it('produces 16-bit mono WAV at 22,050 Hz, and headerless PCM of about the same length', async () => {
    const synthesizer = new EspeakSpeechSynthesizer();

    const wav = await synthesizer.synthesize({ text: 'Good morning.', language: 'en' });
    const pcm = await synthesizer.synthesize({ text: 'Good morning.', language: 'en', format: 'pcm' });

    expect(wav).toMatchObject({ format: 'wav', sampleRate: 22_050 });
    expect(parseWav(wav.data)).toMatchObject({ sampleRate: 22_050, channels: 1, bitsPerSample: 16 });
    expect(pcm).toMatchObject({ format: 'pcm', sampleRate: 22_050 });
    expect(Buffer.from(pcm.data.subarray(0, 4)).toString('latin1')).not.toBe('RIFF');
    expect(pcm.data.length % 2).toBe(0);
    expect(pcm.data.length / (wav.data.length - 44)).toBeGreaterThan(0.8);
    expect(pcm.data.length / (wav.data.length - 44)).toBeLessThan(1.25);
  });

  it('starts the engine once for concurrent first calls', async () => {
    let loads = 0;
    const synthesizer = new EspeakSpeechSynthesizer({
      load: () => {
        loads += 1;
        return EspeakInit();
      },
    });

    await Promise.all(['One.', 'Two.', 'Three.'].map((text) => synthesizer.synthesize({ text, language: 'en' })));
    await synthesizer.synthesize({ text: 'Four.', language: 'en' });

    expect(loads).toBe(1);
  });

  it('reports a missing package as SpeechUnavailableError, and tries again on the next call', async () => {
    let attempts = 0;
    const missing = 'an-optional-package-that-is-not-installed';
    const synthesizer = new EspeakSpeechSynthesizer({
      load: () => {
        attempts += 1;
        return import(missing);
      },
    });

    const error = await synthesizer.synthesize({ text: 'Hello.', language: 'en' }).catch((e: unknown) => e);
    await synthesizer.synthesize({ text: 'Hello.', language: 'en' }).catch(() => undefined);

    expect(error).toBeInstanceOf(SpeechUnavailableError);
    expect((error as SpeechUnavailableError).message).toMatch(/optional dependency/);
    expect((error as SpeechUnavailableError).retryable).toBe(false);
    expect(attempts).toBe(2);
  });

  it('speaks more slowly at a lower rate', async () => {
    const text = 'This sentence is spoken at two different speeds.';
    const slow = await new EspeakSpeechSynthesizer({ rate: 100 }).synthesize({ text, language: 'en' });
    const fast = await new EspeakSpeechSynthesizer({ rate: 300 }).synthesize({ text, language: 'en' });
    expect(seconds(slow.data)).toBeGreaterThan(seconds(fast.data) * 1.5);
  });

  it("picks a voice for the language when the request names none, and maps voice names to eSpeak's", async () => {
    const selected: string[] = [];
    const synthesizer = new EspeakSpeechSynthesizer({ defaultVoice: 'en-gb', load: recordingVoices(selected) });
    const say = (language: string, voice?: string) =>
      synthesizer.synthesize({ text: 'Bonjour.', language, ...(voice && { voice }) });

    await say('fr-FR');
    await say('en-US');
    await say('en');
    await say('de', 'es');
    await say('pt-BR');

    expect(selected).toEqual(['fr', 'en-us', 'en', 'es', 'pt-br']);
  });

  it('refuses unknown voices, formats and options', async () => {
    const synthesizer = new EspeakSpeechSynthesizer();
    await expect(synthesizer.synthesize({ text: 'Hi.', language: 'en', voice: 'Joanna' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(synthesizer.synthesize({ text: 'Hi.', language: 'en', format: 'mp3' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(() => new EspeakSpeechSynthesizer({ defaultVoice: 'klingon' })).toThrow(ValidationError);
    expect(() => new EspeakSpeechSynthesizer({ defaultVoice: 'toString' })).toThrow(ValidationError);
    expect(() => new EspeakSpeechSynthesizer({ rate: 20 })).toThrow(ValidationError);
    expect(() => new EspeakSpeechSynthesizer({ rate: Number.NaN })).toThrow(ValidationError);
  });

  it('stops a queued call whose signal fires while it waits', async () => {
    const synthesizer = new EspeakSpeechSynthesizer();
    const controller = new AbortController();
    const first = synthesizer.synthesize({ text: 'A first sentence that goes ahead.', language: 'en' });
    const second = synthesizer.synthesize({
      text: 'A second sentence that is cancelled.',
      language: 'en',
      signal: controller.signal,
    });
    controller.abort();
    await expect(first).resolves.toMatchObject({ format: 'wav' });
    await expect(second).rejects.toBeInstanceOf(AbortedError);
  });
});
