// Accuracy and speed of the local speech recognizer (PocketSphinx: skills grammar first, general English model as the
// fallback), on speech synthesised here and now with flite (deterministic, offline): every command below in two voices
// at two speeds, clean and with white noise at 10 dB SNR, plus free-form questions that must fall back to the model.
// Prints word error rate (WER) and intent accuracy (recognised text through the nlp.js NLU trained on the same skills)
// per condition, the real-time factor (decoding time per second of audio), the decoder's load time, and the grammar
// score per frame of commands and questions that the fallback threshold is chosen between.
//
// Run: npm run bench:stt (npm run bench runs it after the HTTP benchmark). Needs Debian's pocketsphinx and
// pocketsphinx-en-us. BENCH_STT_VOICES (default "slt,rms") and BENCH_STT_STRETCH (default "1,1.3") pick conditions.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NlpJsLanguageUnderstanding } from '../adapters/local/nlpjs-language-understanding.js';
import { pocketSphinxAvailable } from '../adapters/local/pocketsphinx-binding.js';
import {
  DEFAULT_FALLBACK_SCORE_PER_FRAME,
  PocketSphinxSpeechRecognizer,
  type Recognition,
} from '../adapters/local/pocketsphinx-speech-recognizer.js';
import { encodeWav } from '../adapters/shared/wav.js';
import type { TrainingSet } from '../core/model/understanding.js';
import type { WeatherProvider } from '../core/ports/weather-provider.js';
import { loadConfig } from '../entrypoints/composition/config.js';
import { createContainer } from '../entrypoints/composition/container.js';
import { createLogger } from '../entrypoints/composition/logger.js';
import { fliteSpeak, pad, type FliteVoice } from '../test/support/flite.js';

/** Spoken commands and the intent each must reach. Some are the skills' own examples, others paraphrase them. */
export const COMMANDS: readonly { text: string; intent: string }[] = [
  { text: 'hello', intent: 'greeting.hello' },
  { text: 'good morning', intent: 'greeting.hello' },
  { text: 'goodbye', intent: 'greeting.goodbye' },
  { text: 'see you later', intent: 'greeting.goodbye' },
  { text: 'thank you', intent: 'greeting.thanks' },
  { text: 'thanks a lot', intent: 'greeting.thanks' },
  { text: 'what is the weather like', intent: 'weather.current' },
  { text: 'what is the weather in paris', intent: 'weather.current' },
  { text: 'is it raining in london', intent: 'weather.current' },
  { text: 'how hot is it in tokyo', intent: 'weather.current' },
  { text: 'what is the temperature in berlin', intent: 'weather.current' },
  { text: 'forecast for chicago', intent: 'weather.forecast' },
  { text: 'will it rain tomorrow in seattle', intent: 'weather.forecast' },
  { text: 'what is the forecast for new york', intent: 'weather.forecast' },
  { text: 'do i need an umbrella tomorrow', intent: 'weather.forecast' },
  { text: 'play some jazz', intent: 'music.play' },
  { text: 'play rock music', intent: 'music.play' },
  { text: 'put on some classical', intent: 'music.play' },
  { text: 'i want to listen to blues', intent: 'music.play' },
  { text: 'pause the music', intent: 'music.pause' },
  { text: 'resume the music', intent: 'music.resume' },
  { text: 'keep playing', intent: 'music.resume' },
  { text: 'next song', intent: 'music.next' },
  { text: 'skip this song', intent: 'music.next' },
  { text: 'stop the music', intent: 'music.stop' },
  { text: 'turn off the music', intent: 'music.stop' },
  { text: 'what song is this', intent: 'music.now_playing' },
  { text: 'search for electronic music', intent: 'music.search' },
  { text: 'what time is it', intent: 'time.now' },
  { text: 'tell me the time', intent: 'time.now' },
  { text: 'what is the date today', intent: 'time.date' },
  { text: 'what day is it', intent: 'time.date' },
  { text: 'what can you do', intent: 'help.capabilities' },
  { text: 'how can you help me', intent: 'help.capabilities' },
];

/** Questions no skill answers: they must reach the language model as the words spoken. */
export const QUESTIONS: readonly string[] = [
  'who wrote the declaration of independence',
  'how far away is the moon',
  'tell me a joke about cats',
  'what is the capital of france',
  'how do i bake bread',
  'why is the sky blue',
  'who won the world cup in two thousand',
  'how many people live in china',
  'what is the meaning of life',
  'can you recommend a good book',
  'how does a computer work',
  'what should i cook for dinner',
];

const SNR_DB = 10;
const voices = (process.env.BENCH_STT_VOICES ?? 'slt,rms').split(',') as FliteVoice[];
const stretches = (process.env.BENCH_STT_STRETCH ?? '1,1.3').split(',').map(Number);

const CONTRACTIONS: Record<string, string> = { "what's": 'what is', "it's": 'it is', "that's": 'that is' };
const wordsOf = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z' ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((word) => (CONTRACTIONS[word] ?? word).split(' '));

/** Word-level edit distance between reference and hypothesis. */
export function wordErrors(reference: string, hypothesis: string): { errors: number; words: number } {
  const ref = wordsOf(reference);
  const hyp = wordsOf(hypothesis);
  let previous = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= hyp.length; j += 1) {
      const substitution = (previous[j - 1] as number) + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      current[j] = Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1);
    }
    previous = current;
  }
  return { errors: previous[hyp.length] as number, words: ref.length };
}

/** Deterministic white noise (mulberry32) at `snrDb` below the speech's RMS, measured over its loud part. */
function withNoise(samples: Int16Array, snrDb: number, seed: number): Int16Array {
  let sum = 0;
  let count = 0;
  for (const s of samples) {
    if (Math.abs(s) > 300) {
      sum += s * s;
      count += 1;
    }
  }
  const speechRms = Math.sqrt(sum / Math.max(1, count));
  const noiseRms = speechRms / 10 ** (snrDb / 20);
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) {
    // Uniform noise in [-a, a] has RMS a / sqrt(3).
    const noise = (random() * 2 - 1) * noiseRms * Math.sqrt(3);
    out[i] = Math.max(-32768, Math.min(32767, Math.round((samples[i] as number) + noise)));
  }
  return out;
}

interface Row {
  condition: string;
  words: number;
  errors: number;
  utterances: number;
  intentsRight: number;
  fellBack: number;
  audioSeconds: number;
  decodeMs: number;
}

async function skillsTrainingSet(): Promise<TrainingSet> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-stt-'));
  const weather: WeatherProvider = { lookup: () => Promise.reject(new Error('the benchmark looks no weather up')) };
  const config = loadConfig({ ASSISTANT_NAME: 'assistant', DATA_DIR: dataDir, LOG_LEVEL: 'silent', STT: 'none' });
  const container = await createContainer(config, {
    logger: createLogger('silent'),
    overrides: { weatherProvider: weather },
  });
  try {
    return await (await container.getAsync('skills')).trainingSet('en');
  } finally {
    await container.unbindAllAsync();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const pct = (part: number, whole: number) => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)} %`);
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))] ?? Number.NaN;
};

async function main(): Promise<void> {
  const available = pocketSphinxAvailable();
  if (!available.ok) {
    process.stdout.write(
      `stt-accuracy: skipped (${available.reason}); sudo apt-get install pocketsphinx pocketsphinx-en-us\n`,
    );
    return;
  }
  const training = await skillsTrainingSet();
  const cacheDir = await mkdtemp(join(tmpdir(), 'bench-stt-nlu-'));
  const nlu = await NlpJsLanguageUnderstanding.create({ training, cacheDir, threshold: 0.6 });
  const loadStart = performance.now();
  const recognizer = PocketSphinxSpeechRecognizer.create({ training });
  await recognizer.prepare();
  const loadMs = performance.now() - loadStart;
  const intentOf = async (text: string) =>
    text.trim() ? (await nlu.understand({ text, language: 'en' })).intent : '(nothing heard)';

  const nluOnReference = (await Promise.all(COMMANDS.map(async (c) => (await intentOf(c.text)) === c.intent))).filter(
    Boolean,
  ).length;

  const rows: Row[] = [];
  const commandScores: number[] = [];
  const questionScores: number[] = [];
  const misses: string[] = [];
  const recognise = async (samples: Int16Array): Promise<{ result: Recognition; ms: number }> => {
    const audio = { data: encodeWav(samples, 16_000), format: 'wav' as const, sampleRate: 16_000 };
    const started = performance.now();
    const result = await recognizer.recognise({ audio, language: 'en-US' });
    return { result, ms: performance.now() - started };
  };
  const perFrame = (r: Recognition) => (r.grammar.frames > 0 ? r.grammar.score / r.grammar.frames : Number.NaN);

  for (const voice of voices) {
    for (const stretch of stretches) {
      for (const noisy of [false, true]) {
        const condition = `${voice} ×${stretch} ${noisy ? `noise ${SNR_DB} dB` : 'clean'}`;
        const row: Row = {
          condition: `commands ${condition}`,
          words: 0,
          errors: 0,
          utterances: 0,
          intentsRight: 0,
          fellBack: 0,
          audioSeconds: 0,
          decodeMs: 0,
        };
        for (const [index, command] of COMMANDS.entries()) {
          const speech = await fliteSpeak(command.text, voice, stretch);
          let samples = pad(speech.samples, speech.sampleRate, 0.3);
          if (noisy) samples = withNoise(samples, SNR_DB, index + 1);
          const { result, ms } = await recognise(samples);
          const wer = wordErrors(command.text, result.text);
          const intent = await intentOf(result.text);
          row.words += wer.words;
          row.errors += wer.errors;
          row.utterances += 1;
          row.intentsRight += intent === command.intent ? 1 : 0;
          row.fellBack += result.search === 'language-model' ? 1 : 0;
          row.audioSeconds += result.seconds;
          row.decodeMs += ms;
          if (!noisy) commandScores.push(perFrame(result));
          if (intent !== command.intent || wer.errors > 0) {
            misses.push(
              `${condition}: "${command.text}" → "${result.text}" (${result.search}, ${intent}; grammar heard "${result.grammar.text}", ${perFrame(result).toFixed(1)}/frame)`,
            );
          }
        }
        rows.push(row);
        if (stretch !== stretches[0]) continue;
        const qrow: Row = {
          condition: `questions ${condition}`,
          words: 0,
          errors: 0,
          utterances: 0,
          intentsRight: 0,
          fellBack: 0,
          audioSeconds: 0,
          decodeMs: 0,
        };
        for (const [index, question] of QUESTIONS.entries()) {
          const speech = await fliteSpeak(question, voice, stretch);
          let samples = pad(speech.samples, speech.sampleRate, 0.3);
          if (noisy) samples = withNoise(samples, SNR_DB, 1000 + index);
          const { result, ms } = await recognise(samples);
          const wer = wordErrors(question, result.text);
          qrow.words += wer.words;
          qrow.errors += wer.errors;
          qrow.utterances += 1;
          qrow.fellBack += result.search === 'language-model' ? 1 : 0;
          qrow.audioSeconds += result.seconds;
          qrow.decodeMs += ms;
          if (!noisy) questionScores.push(perFrame(result));
        }
        rows.push(qrow);
        process.stderr.write(`  done: ${condition}\n`);
      }
    }
  }
  await recognizer.dispose();
  await rm(cacheDir, { recursive: true, force: true });

  const out: string[] = [];
  out.push(
    `STT accuracy — PocketSphinx 5prealpha (grammar of ${recognizer.grammar?.utterances ?? '?'} skill utterances + en-us general model), flite voices, ${new Date().toISOString()}`,
  );
  out.push(
    `decoder load ${loadMs.toFixed(0)} ms; fallback below ${DEFAULT_FALLBACK_SCORE_PER_FRAME} per frame; NLU alone on the reference texts: ${pct(nluOnReference, COMMANDS.length)} intents right`,
  );
  out.push('');
  out.push('| condition | utterances | WER | intent accuracy | to the language model | decode ms per s of audio |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  const sum = (filter: (r: Row) => boolean, label: string) => {
    const picked = rows.filter(filter);
    const total = picked.reduce<Row>(
      (acc, r) => ({
        ...acc,
        words: acc.words + r.words,
        errors: acc.errors + r.errors,
        utterances: acc.utterances + r.utterances,
        intentsRight: acc.intentsRight + r.intentsRight,
        fellBack: acc.fellBack + r.fellBack,
        audioSeconds: acc.audioSeconds + r.audioSeconds,
        decodeMs: acc.decodeMs + r.decodeMs,
      }),
      {
        condition: label,
        words: 0,
        errors: 0,
        utterances: 0,
        intentsRight: 0,
        fellBack: 0,
        audioSeconds: 0,
        decodeMs: 0,
      },
    );
    return total;
  };
  const line = (r: Row, questions: boolean) =>
    `| ${r.condition} | ${r.utterances} | ${pct(r.errors, r.words)} | ${questions ? '–' : pct(r.intentsRight, r.utterances)} | ${pct(r.fellBack, r.utterances)} | ${(r.decodeMs / r.audioSeconds).toFixed(0)} |`;
  for (const r of rows) out.push(line(r, r.condition.startsWith('questions')));
  out.push(
    line(
      sum((r) => r.condition.startsWith('commands') && r.condition.endsWith('clean'), 'ALL commands, clean'),
      false,
    ),
  );
  out.push(
    line(
      sum(
        (r) => r.condition.startsWith('commands') && !r.condition.endsWith('clean'),
        `ALL commands, noise ${SNR_DB} dB`,
      ),
      false,
    ),
  );
  out.push(
    line(
      sum((r) => r.condition.startsWith('questions') && r.condition.endsWith('clean'), 'ALL questions, clean'),
      true,
    ),
  );
  out.push(
    line(
      sum(
        (r) => r.condition.startsWith('questions') && !r.condition.endsWith('clean'),
        `ALL questions, noise ${SNR_DB} dB`,
      ),
      true,
    ),
  );
  out.push('');
  out.push(
    `grammar score per frame (clean): commands p5 ${quantile(commandScores, 0.05).toFixed(1)}, median ${quantile(commandScores, 0.5).toFixed(1)}, min ${quantile(commandScores, 0).toFixed(1)}; questions max ${quantile(questionScores.filter(Number.isFinite), 1).toFixed(1)}, median ${quantile(questionScores.filter(Number.isFinite), 0.5).toFixed(1)}`,
  );
  out.push('targets: command intent accuracy ≥ 95 %, command WER ≤ 5 % on clean audio');
  if (misses.length > 0) {
    out.push('');
    out.push(`command misses (${misses.length}):`);
    for (const miss of misses) out.push(`  ${miss}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
