// One streaming utterance on one PocketSphinx decoder: the recognizer's `openStream` runs a lane per search (the
// skills' grammar and the general language model), each fed the speech while it arrives.
import type { Hypothesis, PocketSphinxDecoder } from './pocketsphinx-binding.js';

/**
 * One decoder fed one utterance in order: samples written while a call is running are batched into the next call, so
 * the decoder is never called twice at once and the event loop never waits for it.
 */
export class Lane {
  private tail: Promise<void> = Promise.resolve();
  private pending: Int16Array[] = [];
  private scheduled = false;
  private stopped = false;
  private ended: Promise<Hypothesis | undefined> | undefined;

  constructor(
    private decoder: PocketSphinxDecoder | undefined,
    search: string,
    private readonly release: (decoder: PocketSphinxDecoder | undefined) => void,
  ) {
    try {
      decoder?.begin(search);
    } catch (error) {
      decoder?.dispose();
      this.decoder = undefined;
      throw error;
    }
  }

  write(samples: Int16Array): void {
    if (this.stopped) return;
    this.pending.push(samples);
    if (this.scheduled) return;
    this.scheduled = true;
    this.tail = this.tail.then(() => {
      this.scheduled = false;
      const chunk = concat(this.pending.splice(0));
      return this.stopped || !this.decoder ? undefined : this.decoder.feed(chunk);
    });
  }

  /** Decodes what is still pending, ends the utterance and returns the decoder. */
  finish(): Promise<Hypothesis> {
    return this.end(true).then((hypothesis) => {
      if (!hypothesis) throw new Error('pocketsphinx: the stream was cancelled');
      return hypothesis;
    });
  }

  /** Drops what is pending, ends the utterance once the call in flight returns, and returns the decoder. */
  abandon(): Promise<void> {
    this.stopped = true;
    return this.end(false).then(
      () => undefined,
      () => undefined,
    );
  }

  private end(decodeRest: boolean): Promise<Hypothesis | undefined> {
    if (!decodeRest) this.pending = [];
    this.ended ??= (async () => {
      const decoder = this.decoder;
      try {
        await this.tail;
      } catch {
        // A failed call leaves the decoder in no known state: it is freed below, not reused.
        this.decoder = undefined;
        decoder?.dispose();
        this.release(undefined);
        throw new Error('pocketsphinx: decoding failed');
      }
      this.stopped = true;
      if (!decoder) return undefined;
      try {
        const hypothesis = await decoder.finish();
        this.release(decoder);
        return hypothesis;
      } catch (error) {
        decoder.dispose();
        throw error;
      } finally {
        this.decoder = undefined;
      }
    })();
    return this.ended;
  }
}

function concat(parts: Int16Array[]): Int16Array {
  if (parts.length === 1) return parts[0] as Int16Array;
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
