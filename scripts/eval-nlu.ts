import { evaluatePart, evaluationSubject, formatReport, PARTS, readPart } from '../test/nlu-eval/evaluate.js';

/** Prints routing, slot and confusion figures of the local NLU on both parts of the evaluation set. */
const subject = await evaluationSubject();
for (const part of PARTS) {
  const report = await evaluatePart(part, await readPart(part), subject);
  console.log(formatReport(report));
  console.log('');
}
