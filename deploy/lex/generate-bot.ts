// Writes the Lex V2 bot locale from the skills the assistant really registers, so Lex and the local NLU are trained from
// one source. Run `npx tsx deploy/lex/generate-bot.ts` after changing a skill; a test fails while the committed file
// differs from a fresh generation.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { lexBotDefinition } from '../../adapters/aws/lex/lex-bot-definition.js';
import { JsonMusicCatalog } from '../../adapters/local/json-music-catalog.js';
import type { WeatherProvider } from '../../core/ports/weather-provider.js';
import { defaultSkills } from '../../core/skills/default-skills.js';
import { SkillRegistry } from '../../core/skills/skill-registry.js';

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

/** The bot locale document, as it is committed: two-space JSON with a final newline. */
export async function generateBotLocale(): Promise<string> {
  const music = await JsonMusicCatalog.fromFile(join(root, 'adapters', 'local', 'data', 'sample-catalog.json'));
  const registry = new SkillRegistry(defaultSkills({ weather: weatherStub, music, assistantName: 'assistant' }));
  const training = await registry.trainingSet('en');
  const definition = lexBotDefinition(training, { botName: BOT_NAME, localeId: LOCALE_ID, confidenceThreshold: CONFIDENCE_THRESHOLD });
  return `${JSON.stringify(definition, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(BOT_LOCALE_FILE, await generateBotLocale());
  process.stdout.write(`wrote ${BOT_LOCALE_FILE}\n`);
}
