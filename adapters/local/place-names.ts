/** Lower case, accents stripped, punctuation to single spaces: the form names are indexed and looked up by. */
export function foldName(text: string): string {
  // Names already folded, as a place finder's spans of folded words are, fold to themselves: one scan says so.
  if (isFoldedAscii(text)) return text;
  return foldAscii(text) ?? foldUnicode(text);
}

/** Runs of a-z and 0-9 parted by single spaces: a name already folded (one scan, no regular expression). */
function isFoldedAscii(text: string): boolean {
  const last = text.length - 1;
  if (last < 0) return false;
  for (let i = 0; i <= last; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x20) {
      if (i === 0 || i === last || text.charCodeAt(i - 1) === 0x20) return false;
    } else if (!((code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39))) return false;
  }
  return true;
}

export function foldUnicode(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** foldUnicode for plain ASCII text (its only letters and digits are a-z, A-Z, 0-9); else undefined. */
function foldAscii(text: string): string | undefined {
  if (NOT_ASCII.test(text)) return undefined;
  const lower = text.toLowerCase();
  return isFoldedAscii(lower) ? lower : lower.replace(/[^a-z0-9]+/g, ' ').trim();
}
const NOT_ASCII = /[^\x20-\x7e]/;
