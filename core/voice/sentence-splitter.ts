const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'vs', 'etc', 'e.g', 'i.e', 'no', 'approx']);

/**
 * Cuts streamed text into sentences as the deltas arrive, so speech can start on the first sentence while the model
 * is still writing the rest. A sentence ends at `.`, `!`, `?` or `…` (with closing quotes or brackets) followed by
 * whitespace, or at a line break; "Dr." and "3.5" do not end one. Joined, the sentences give back the text exactly.
 */
export class SentenceSplitter {
  private pending = '';

  /** Adds a delta; returns the sentences it completed, each with its trailing whitespace. */
  push(delta: string): string[] {
    this.pending += delta;
    const sentences: string[] = [];
    const boundary = /[.!?…]+["'”’)\]]*\s+|\n+/g;
    let start = 0;
    for (let match = boundary.exec(this.pending); match; match = boundary.exec(this.pending)) {
      const end = match.index + match[0].length;
      if (match[0].startsWith('.') && isAbbreviation(this.pending.slice(start, match.index))) continue;
      if (this.pending.slice(start, end).trim().length === 0) continue;
      sentences.push(this.pending.slice(start, end));
      start = end;
    }
    this.pending = this.pending.slice(start);
    return sentences;
  }

  /** The unfinished rest, once the text is complete (empty when there is none). */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest.trim().length > 0 ? rest : '';
  }
}

function isAbbreviation(before: string): boolean {
  const word = /([A-Za-z.]+)$/.exec(before)?.[1]?.toLowerCase();
  return word !== undefined && (ABBREVIATIONS.has(word) || /^[a-z]$/.test(word));
}
