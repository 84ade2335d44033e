import { evaluatePart, evaluationSubject, formatReport, PARTS, readPart } from '../test/nlu-eval/evaluate.js';

/**
 * Prints routing, slot and confusion figures of the local NLU on both parts of the evaluation set, or on the parts
 * named as arguments (`npm run eval:nlu -- tuning` while tuning, so the held-out part stays unread).
 */
const wanted = process.argv.slice(2);
const subject = await evaluationSubject();
for (const part of PARTS.filter((p) => wanted.length === 0 || wanted.includes(p))) {
  const report = await evaluatePart(part, await readPart(part), subject);
  console.log(formatReport(report));
  console.log('');
}
