import type { FastifyReply } from 'fastify';

/**
 * A server-sent-events response that opens lazily: until the first event, nothing is written and the route can still
 * fail with an ordinary status and problem body; the first event takes the response over from Fastify (hijack) with
 * the headers the hooks already set.
 */
export class SseStream {
  private open = false;

  constructor(private readonly reply: FastifyReply) {}

  get started(): boolean {
    return this.open;
  }

  /** Writes one event; `data` is sent as one line of JSON. Nothing is written once the client has gone. */
  send(event: string, data: unknown): void {
    const raw = this.reply.raw;
    if (!this.open) {
      this.open = true;
      this.reply.hijack();
      const set = Object.entries(this.reply.getHeaders()).filter(
        (entry): entry is [string, string | number | string[]] => entry[1] !== undefined,
      );
      raw.writeHead(200, {
        ...Object.fromEntries(set),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // nginx and similar proxies buffer responses unless told not to; a buffered stream is no stream.
        'x-accel-buffering': 'no',
      });
    }
    if (raw.destroyed || raw.writableEnded) return;
    raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (this.open && !this.reply.raw.writableEnded) this.reply.raw.end();
  }
}

/** Whether the client asked for the reply as a stream of events. */
export function wantsEventStream(accept: string | undefined): boolean {
  return accept !== undefined && /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(accept);
}
