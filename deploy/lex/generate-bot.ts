// Writes the Lex V2 bot locale from the skills the assistant really registers, so Lex and the local NLU are trained from
// one source. Run `npx tsx deploy/lex/generate-bot.ts` after changing a skill; a test fails while the committed file
// differs from a fresh generation.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { lexBotDefinition } from '../../adapters/aws/lex/lex-bot-definition.js';
import type { WeatherProvider } from '../../core/ports/weather-provider.js';
import { loadConfig } from '../../entrypoints/composition/config.js';
import { createContainer } from '../../entrypoints/composition/container.js';
import { createLogger } from '../../entrypoints/composition/logger.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const BOT_NAME = 'VoiceAssistant';
export const LOCALE_ID = 'en_US';
/** The Lex console's default NluConfidenceThreshold; the core applies its own, higher, threshold on top. */
export const CONFIDENCE_THRESHOLD = 0.4;
export const BOT_LOCALE_FILE = join(root, 'deploy', 'lex', `bot-locale.${LOCALE_ID}.json`);

/** Training never looks the weather up; only the skill's intents and city list matter here. */
const weatherStub: WeatherProvider = {
  lookup: () => Promise.reject(new Error('the bot generator looks no weather up')),
};

/**
 * The bot locale document, as it is committed: two-space JSON with a final newline. The skills come from the same
 * container and modules the assistant runs with (local profile, shipped sample catalog), so the bot cannot drift.
 */
export async function generateBotLocale(): Promise<string> {
  const config = loadConfig({
    ASSISTANT_NAME: 'assistant',
    DATA_DIR: join(tmpdir(), 'voice-assistant-bot-generator'),
    LOG_LEVEL: 'silent',
  });
  const container = await createContainer(config, {
    logger: createLogger('silent'),
    overrides: { weatherProvider: weatherStub },
  });
  try {
    const training = await (await container.getAsync('skills')).trainingSet('en');
    const definition = lexBotDefinition(training, {
      botName: BOT_NAME,
      localeId: LOCALE_ID,
      confidenceThreshold: CONFIDENCE_THRESHOLD,
    });
    return `${JSON.stringify(definition, null, 2)}\n`;
  } finally {
    await container.unbindAllAsync();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(BOT_LOCALE_FILE, await generateBotLocale());
  process.stdout.write(`wrote ${BOT_LOCALE_FILE}\n`);
}
