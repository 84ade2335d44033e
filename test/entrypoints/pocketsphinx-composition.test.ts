import { describe, expect, it } from 'vitest';
import { PocketSphinxSpeechRecognizer } from '../../adapters/local/pocketsphinx-speech-recognizer.js';
import { pocketSphinxAvailable } from '../../adapters/local/pocketsphinx-binding.js';
import { noopTelemetry } from '../../core/defaults.js';
import type { Telemetry } from '../../core/ports/telemetry.js';
import { defaultSkills } from '../../core/skills/default-skills.js';
import { SkillRegistry } from '../../core/skills/skill-registry.js';
import { ConfigError, loadConfig } from '../../entrypoints/composition/config.js';
import { createPocketSphinx } from '../../entrypoints/composition/local-module.js';
import { ArrayMusicCatalog } from '../doubles/array-music-catalog.js';
import { FixedWeatherProvider } from '../doubles/fixed-weather-provider.js';
import { skipWhen } from '../support/skip-reason.js';

const skills = new SkillRegistry(
  defaultSkills({ weather: new FixedWeatherProvider(), music: new ArrayMusicCatalog(), assistantName: 'X' }),
);
const missing = () => ({ ok: false as const, reason: 'pocketsphinx: cannot load libpocketsphinx.so.3 (not found)' });

function recordingTelemetry(): Telemetry & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...noopTelemetry, warnings, warn: (message) => warnings.push(message) };
}

describe('voice input in the local profile', () => {
  it('is PocketSphinx by default', () => {
    expect(loadConfig({}).adapters.stt).toBe('pocketsphinx');
  });

  it('turns off with one line saying how to enable it when PocketSphinx is missing and STT was not chosen', async () => {
    const telemetry = recordingTelemetry();
    const recognizer = await createPocketSphinx(loadConfig({}), skills, telemetry, missing);
    expect(recognizer).toBeNull();
    expect(telemetry.warnings).toEqual([
      'voice input is off: speech recognition needs PocketSphinx. Enable it: ' +
        'sudo apt-get install pocketsphinx pocketsphinx-en-us (Debian/Ubuntu), then restart',
    ]);
  });

  it('stops the start when STT=pocketsphinx was chosen and PocketSphinx is missing', async () => {
    const config = loadConfig({ STT: 'pocketsphinx' });
    await expect(createPocketSphinx(config, skills, recordingTelemetry(), missing)).rejects.toThrow(ConfigError);
  });

  it(
    'loads the recognizer with the skills grammar when PocketSphinx is installed',
    skipWhen(
      !pocketSphinxAvailable().ok,
      'PocketSphinx is not installed (apt-get install pocketsphinx pocketsphinx-en-us)',
    ),
    async () => {
      const recognizer = await createPocketSphinx(loadConfig({}), skills, recordingTelemetry());
      expect(recognizer).toBeInstanceOf(PocketSphinxSpeechRecognizer);
      // Nothing is loaded until the first audio turn, or until asked to.
      expect(recognizer?.grammar).toBeUndefined();
      await recognizer?.prepare();
      expect(recognizer?.grammar?.utterances).toBeGreaterThan(50);
      await recognizer?.dispose();
    },
  );
});
