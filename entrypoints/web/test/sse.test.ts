import { describe, expect, it } from 'vitest';
import { readSse, SseParser } from '../src/sse';

describe('SseParser', () => {
  it('reads named events with JSON data, in any chunking', () => {
    const text = 'event: heard\ndata: {"text":"hi"}\n\nevent: delta\ndata: {"text":"Hel"}\n\nevent: turn\ndata: {}\n\n';
    for (const size of [1, 2, 5, 17, text.length]) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...parser.feed(text.slice(i, i + size)));
      expect(events).toEqual([
        { event: 'heard', data: '{"text":"hi"}' },
        { event: 'delta', data: '{"text":"Hel"}' },
        { event: 'turn', data: '{}' },
      ]);
    }
  });

  it('handles CRLF and CR line ends (split across chunks), comments, multi-line data and the default name', () => {
    const parser = new SseParser();
    const events = [
      ...parser.feed(': keep-alive\r'),
      ...parser.feed('\ndata: a\r\ndata: b\r'),
      ...parser.feed('\r'),
      ...parser.feed('event: error\rdata:{"detail":"x"}\r\r'),
      // A CR at the very end may be half a CRLF: the event completes with the next byte (or the end of the stream).
      ...parser.feed('\n'),
    ];
    expect(events).toEqual([
      { event: 'message', data: 'a\nb' },
      { event: 'error', data: '{"detail":"x"}' },
    ]);
  });

  it('ignores an event without data and resets the name after each event', () => {
    const parser = new SseParser();
    expect(parser.feed('event: delta\n\ndata: x\n\n')).toEqual([{ event: 'message', data: 'x' }]);
  });
});

describe('readSse', () => {
  it('decodes a byte stream split inside a multi-byte character, and flushes an unterminated last event', async () => {
    const bytes = new TextEncoder().encode('event: delta\ndata: {"text":"café"}\n\nevent: turn\ndata: {}');
    const cut = bytes.indexOf(0xc3) + 1;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, cut));
        controller.enqueue(bytes.slice(cut));
        controller.close();
      },
    });
    const events = [];
    for await (const event of readSse(body)) events.push(event);
    expect(events).toEqual([
      { event: 'delta', data: '{"text":"café"}' },
      { event: 'turn', data: '{}' },
    ]);
  });
});
