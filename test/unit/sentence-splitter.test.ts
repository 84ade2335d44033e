import { describe, expect, it } from 'vitest';
import { SentenceSplitter } from '../../core/voice/sentence-splitter.js';

describe('SentenceSplitter', () => {
  it('emits each sentence once the whitespace after its end arrives, and the rest on flush', () => {
    const splitter = new SentenceSplitter();
    const out: string[] = [];
    for (const delta of ['Hello', ' there.', ' It is ', '3.5 degrees', ' in St. Ives! Dr.', ' Who? Bye']) {
      out.push(...splitter.push(delta));
    }
    out.push(splitter.flush());
    expect(out).toEqual(['Hello there. ', 'It is 3.5 degrees in St. Ives! ', 'Dr. Who? ', 'Bye']);
  });

  it('gives back the text exactly when joined, whatever the cut into deltas', () => {
    const text = 'One. Two! "Three?" Four…\nFive (six.) seven';
    for (let size = 1; size < 8; size += 1) {
      const splitter = new SentenceSplitter();
      const out: string[] = [];
      for (let at = 0; at < text.length; at += size) out.push(...splitter.push(text.slice(at, at + size)));
      out.push(splitter.flush());
      expect(out.join('')).toBe(text);
    }
  });
});
