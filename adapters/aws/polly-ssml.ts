/**
 * SynthesizeSpeech takes at most 6,000 characters of input, of which at most 3,000 billed characters (text outside
 * SSML tags), per request (API reference, TextLengthExceededException).
 */
export const POLLY_LIMITS = { billed: 3000, total: 6000 } as const;

const SPEAK_OPEN = '<speak>';
const SPEAK_CLOSE = '</speak>';
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** User text made safe inside SSML: markup characters escaped, and the control characters XML forbids turned to spaces. */
export function escapeSsml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- XML 1.0 forbids these control characters: matching them is the point.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, ' ')
      .replace(/[&<>"']/g, (ch) => ENTITIES[ch] as string)
  );
}

/** One SynthesizeSpeech input: the text escaped and wrapped in `<speak>`. */
export function toSsml(text: string): string {
  return `${SPEAK_OPEN}${escapeSsml(text)}${SPEAK_CLOSE}`;
}

/**
 * The text as the fewest SSML documents that each fit Polly's limits, split between sentences (between words for a
 * sentence too long on its own, inside a word only for a word too long on its own), so each request sounds whole.
 * Lengths are counted in UTF-16 units, never fewer than the characters Polly counts.
 */
export function ssmlRequests(text: string, limits: { billed: number; total: number } = POLLY_LIMITS): string[] {
  const fits = (part: string) => {
    const text = part.trim();
    return text.length <= limits.billed && toSsml(text).length <= limits.total;
  };
  const documents: string[] = [];
  let current = '';
  for (const piece of pieces(text, fits)) {
    if (fits(current + piece)) {
      current += piece;
      continue;
    }
    if (current.trim()) documents.push(toSsml(current.trim()));
    current = piece;
  }
  if (current.trim()) documents.push(toSsml(current.trim()));
  return documents;
}

/** Sentences, each with its trailing space, broken further wherever one alone does not fit. */
function pieces(text: string, fits: (part: string) => boolean): string[] {
  const sentences = [...new Intl.Segmenter('en', { granularity: 'sentence' }).segment(text)].map((s) => s.segment);
  return sentences.flatMap((sentence) => {
    if (fits(sentence)) return [sentence];
    return (sentence.match(/\S+\s*/g) ?? []).flatMap((word) => (fits(word) ? [word] : hardSplit(word, fits)));
  });
}

function hardSplit(word: string, fits: (part: string) => boolean): string[] {
  const parts: string[] = [];
  let current = '';
  for (const ch of word) {
    if (!fits(current + ch)) {
      parts.push(current);
      current = '';
    }
    current += ch;
  }
  if (current) parts.push(current);
  return parts;
}
