import { beforeAll, describe, expect, it } from 'vitest';
import { evaluatePart, evaluationSubject, formatReport, PARTS, readPart, type PartReport } from './evaluate.js';

/**
 * The local NLU on everyday paraphrases written independently of the skills' examples (test/nlu-eval/*.txt): each
 * part on its own must route at least 95 % of utterances to the right skill (or to the model) and reach a slot F1 of
 * 90 %. `npm run eval:nlu` prints the same figures with the misses.
 */
describe('NLU evaluation set', () => {
  const reports = new Map<string, PartReport>();

  beforeAll(async () => {
    const subject = await evaluationSubject();
    for (const part of PARTS) reports.set(part, await evaluatePart(part, await readPart(part), subject));
  }, 60_000);

  it('holds at least 300 utterances, 100 of them held out and 60 for the model', async () => {
    const all = [...(await readPart('tuning')), ...(await readPart('held-out'))];
    expect(all.length).toBeGreaterThanOrEqual(300);
    expect((await readPart('held-out')).length).toBeGreaterThanOrEqual(100);
    expect(all.filter((c) => c.intent === 'None').length).toBeGreaterThanOrEqual(60);
  });

  it.each(PARTS)('routes at least 95 %% of the %s part and fills slots with F1 of at least 90 %%', (part) => {
    const report = reports.get(part) as PartReport;
    const summary = formatReport(report);
    expect(report.routing, summary).toBeGreaterThanOrEqual(0.95);
    expect(report.slots.f1, summary).toBeGreaterThanOrEqual(0.9);
  });
});
