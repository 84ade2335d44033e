import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { NlpJsLanguageUnderstanding } from '../../adapters/local/nlpjs-language-understanding.js';
import { CityGazetteer } from '../../adapters/local/city-gazetteer.js';
import { JsonMusicCatalog } from '../../adapters/local/json-music-catalog.js';
import { defaultSkills } from '../../core/skills/default-skills.js';
import { SkillRegistry } from '../../core/skills/skill-registry.js';
import { NO_INTENT } from '../../core/model/understanding.js';
import type { LanguageUnderstanding } from '../../core/ports/language-understanding.js';
import type { WeatherProvider } from '../../core/ports/weather-provider.js';

/** Where a turn goes when no skill takes it. */
export const MODEL = 'model';
/** The dialogue policy's default confidence threshold: below it a turn goes to the model. */
const THRESHOLD = 0.6;
/** Slots scored: the entity-bearing ones the skills act on. */
const SCORED_SLOTS = ['city', 'genre', 'artist', 'title'];

export interface EvalCase {
  text: string;
  intent: string;
  slots: Record<string, string>;
  line: number;
}

export interface EvalOutcome {
  case: EvalCase;
  skill: string;
  expectedSkill: string;
  intent: string;
  slots: Record<string, string>;
}

export interface PartReport {
  name: string;
  total: number;
  routing: number;
  intentAccuracy: number;
  perSkill: Record<string, { total: number; correct: number }>;
  slots: { precision: number; recall: number; f1: number; tp: number; fp: number; fn: number };
  confusion: Record<string, Record<string, number>>;
  misses: string[];
}

export const PARTS = ['tuning', 'held-out'] as const;

/** Reads one part: `intent | text | slot=value; slot=value`, `#` starts a comment. */
export async function readPart(name: (typeof PARTS)[number]): Promise<EvalCase[]> {
  const text = await readFile(fileURLToPath(new URL(`./${name}.txt`, import.meta.url)), 'utf8');
  const cases: EvalCase[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [intent = '', utterance = '', slotText = ''] = line.split('|').map((s) => s.trim());
    const slots: Record<string, string> = {};
    for (const pair of slotText.split(';')) {
      const [key, value] = pair.split('=').map((s) => s.trim());
      if (key && value) slots[key] = value;
    }
    cases.push({ text: utterance, intent, slots, line: index + 1 });
  });
  return cases;
}

const noWeather: WeatherProvider = {
  lookup: () => Promise.reject(new Error('the evaluation never calls the weather service')),
};

/** The skills and the NLU as the local profile composes them, over the shipped sample catalog. */
export async function evaluationSubject(): Promise<{ nlu: LanguageUnderstanding; registry: SkillRegistry }> {
  const catalog = await JsonMusicCatalog.fromFile(
    fileURLToPath(new URL('../../adapters/local/data/sample-catalog.json', import.meta.url)),
  );
  const registry = new SkillRegistry(defaultSkills({ weather: noWeather, music: catalog, assistantName: 'Nova' }));
  const nlu = await NlpJsLanguageUnderstanding.create({
    training: await registry.trainingSet('en'),
    threshold: THRESHOLD,
    gazetteer: CityGazetteer.shared(),
  });
  return { nlu, registry };
}

const norm = (value: string) =>
  value
    .toLowerCase()
    .replace(/[^\p{L}\p{N}&]+/gu, ' ')
    .trim();

/** Understands every case and scores routing (skill or model), intent and slots. */
export async function evaluatePart(
  name: string,
  cases: readonly EvalCase[],
  subject: { nlu: LanguageUnderstanding; registry: SkillRegistry },
): Promise<PartReport> {
  const skillOf = (intent: string) =>
    intent === NO_INTENT ? MODEL : (subject.registry.resolve(intent)?.skill.name ?? MODEL);
  const outcomes: EvalOutcome[] = [];
  for (const c of cases) {
    const u = await subject.nlu.understand({ text: c.text, language: 'en' });
    const routed = u.intent !== NO_INTENT && u.confidence >= THRESHOLD ? u.intent : NO_INTENT;
    const slots: Record<string, string> = {};
    for (const [key, slot] of Object.entries(u.slots)) if (SCORED_SLOTS.includes(key)) slots[key] = String(slot.value);
    outcomes.push({ case: c, skill: skillOf(routed), expectedSkill: skillOf(c.intent), intent: routed, slots });
  }
  const perSkill: PartReport['perSkill'] = {};
  const confusion: PartReport['confusion'] = {};
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const misses: string[] = [];
  for (const o of outcomes) {
    const row = (perSkill[o.expectedSkill] ??= { total: 0, correct: 0 });
    row.total += 1;
    if (o.skill === o.expectedSkill) row.correct += 1;
    const line = (confusion[o.expectedSkill] ??= {});
    line[o.skill] = (line[o.skill] ?? 0) + 1;
    const problems: string[] = [];
    if (o.skill !== o.expectedSkill) problems.push(`routed to ${o.skill} (${o.intent})`);
    for (const key of SCORED_SLOTS) {
      const want = o.case.slots[key];
      const got = o.slots[key];
      // A place is scored by its name: "Portland, Oregon" is the place labelled Portland.
      if (want !== undefined && got !== undefined && norm(want) === norm(got.split(',')[0] ?? '')) tp += 1;
      else {
        if (want !== undefined) fn += 1;
        if (got !== undefined) fp += 1;
        if (want !== undefined || got !== undefined) problems.push(`${key}: want ${want ?? '-'}, got ${got ?? '-'}`);
      }
    }
    if (problems.length > 0) misses.push(`${name}:${o.case.line} "${o.case.text}" — ${problems.join('; ')}`);
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    name,
    total: outcomes.length,
    routing: outcomes.filter((o) => o.skill === o.expectedSkill).length / outcomes.length,
    intentAccuracy: outcomes.filter((o) => o.intent === o.case.intent).length / outcomes.length,
    perSkill,
    slots: { precision, recall, f1, tp, fp, fn },
    confusion,
    misses,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The report `npm run eval:nlu` prints for one part. */
export function formatReport(report: PartReport): string {
  const skills = Object.keys(report.perSkill).sort();
  const predicted = [...new Set(Object.values(report.confusion).flatMap((row) => Object.keys(row)))].sort();
  const width = Math.max(10, ...predicted.map((p) => p.length)) + 1;
  const lines = [
    `== ${report.name}: ${report.total} utterances ==`,
    `skill routing ${pct(report.routing)}, intent ${pct(report.intentAccuracy)}`,
    `slots P ${pct(report.slots.precision)} R ${pct(report.slots.recall)} F1 ${pct(report.slots.f1)} ` +
      `(tp ${report.slots.tp}, fp ${report.slots.fp}, fn ${report.slots.fn})`,
    'routing per skill:',
    ...skills.map((s) => {
      const r = report.perSkill[s] as { total: number; correct: number };
      return `  ${s.padEnd(width)} ${pct(r.correct / r.total).padStart(6)}  (${r.correct}/${r.total})`;
    }),
    `confusion (rows expected, columns routed):`,
    `  ${''.padEnd(width)}${predicted.map((p) => p.padStart(width)).join('')}`,
    ...skills.map(
      (s) =>
        `  ${s.padEnd(width)}${predicted.map((p) => String(report.confusion[s]?.[p] ?? 0).padStart(width)).join('')}`,
    ),
    `misses (${report.misses.length}):`,
    ...report.misses.map((m) => `  ${m}`),
  ];
  return lines.join('\n');
}
