import { createHash } from 'node:crypto';
import { createServer, type Http2Session, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec, type Message } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/** One StartStreamTranscription call as the fake decoded it from the HTTP/2 stream. */
export interface TranscribeSession {
  headers: IncomingHttpHeaders;
  /** Every AudioChunk, in order, joined. */
  audio: Buffer;
  /** The byte size of each AudioEvent's chunk. */
  chunkSizes: number[];
  /** True while every frame carried the `:date` and `:chunk-signature` of a signed event. */
  signed: boolean;
  /** True once the empty signed frame that ends the input arrived. */
  ended: boolean;
}

export type TranscribeFailure =
  /** Refuses the request itself with an HTTP status and `x-amzn-errortype`, before any event. */
  | { kind: 'http'; status: number; errorType: string }
  /** Accepts the stream, then sends this exception event after the first audio event. */
  | { kind: 'event'; errorType: string };

export interface TranscribeStreamingFake {
  url: string;
  sessions: TranscribeSession[];
  /** Teaches the fake what a clip says: exactly these PCM bytes, at this rate, come back as this transcript. */
  hear(pcm: Uint8Array, sampleRate: number, transcript: string): void;
  failNext(failure: TranscribeFailure): void;
  /** Holds the next call before its response starts: `received` settles when it arrives, `release` lets it go on. */
  hold(): { received: Promise<void>; release(): void };
  close(): Promise<void>;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);
/** A few of StartStreamTranscription's language codes; any other is a BadRequestException, as on AWS. */
const LANGUAGES = new Set(['en-US', 'en-GB', 'en-AU', 'es-US', 'fr-FR', 'de-DE', 'it-IT', 'pt-BR', 'ja-JP']);

/**
 * A loopback Transcribe Streaming endpoint over HTTP/2 without TLS: the Transcribe Streaming client uses
 * NodeHttp2Handler, which speaks h2c to an `http://` endpoint, so the adapter runs its production transport. It
 * decodes the input event stream frame by frame with @smithy/eventstream-codec (signed envelopes around AudioEvents,
 * closed by an empty signed frame), records the audio, answers a partial TranscriptEvent as audio arrives and final
 * results once the input ends: the transcript it was taught for exactly the received bytes, none for any other audio.
 */
export async function startTranscribeStreamingFake(): Promise<TranscribeStreamingFake> {
  const sessions: TranscribeSession[] = [];
  const live = new Set<Http2Session>();
  const heard = new Map<string, string>();
  let failure: TranscribeFailure | undefined;
  let held: { arrived: () => void; released: Promise<void> } | undefined;

  const server = createServer();
  server.on('session', (session) => {
    live.add(session);
    session.on('close', () => live.delete(session));
  });
  server.on('stream', (stream, headers) => {
    const session: TranscribeSession = { headers, audio: Buffer.alloc(0), chunkSizes: [], signed: true, ended: false };
    sessions.push(session);
    const failing = failure;
    failure = undefined;
    const hold = held;
    held = undefined;
    let pending = Buffer.alloc(0);
    let started = false;
    let answered = false;
    const queued: Buffer[] = [];
    stream.on('error', () => undefined);

    const onFrame = (frame: Message) => {
      if (!frame.headers[':date'] || !frame.headers[':chunk-signature']) session.signed = false;
      if (frame.body.length === 0) {
        session.ended = true;
        finish();
        return;
      }
      const inner = codec.decode(frame.body);
      if (inner.headers[':event-type']?.value !== 'AudioEvent') return;
      session.chunkSizes.push(inner.body.length);
      session.audio = Buffer.concat([session.audio, inner.body]);
      if (session.chunkSizes.length === 1) {
        if (failing?.kind === 'event') {
          send(exception(failing.errorType));
          end();
        } else {
          send(
            transcriptEvent([
              {
                ResultId: 'r0',
                IsPartial: true,
                StartTime: 0,
                EndTime: 0.1,
                Alternatives: [{ Transcript: 'partial guess' }],
              },
            ]),
          );
        }
      }
    };
    const finish = () => {
      const rate = Number(headers['x-amzn-transcribe-sample-rate']);
      const transcript = heard.get(keyOf(rate, session.audio));
      if (transcript) {
        const words = transcript.split(' ');
        const half = Math.ceil(words.length / 2);
        const results = [words.slice(0, half), words.slice(half)]
          .filter((part) => part.length > 0)
          .map((part, i) => ({
            ResultId: `r${i + 1}`,
            IsPartial: false,
            StartTime: i,
            EndTime: i + 1,
            Alternatives: [
              {
                Transcript: part.join(' '),
                Items: part.map((w) => ({ Content: w, Type: 'pronunciation', Confidence: 0.9 })),
              },
            ],
          }));
        send(transcriptEvent(results));
      }
      end();
    };
    const send = (frame: Uint8Array) => {
      if (answered || stream.destroyed) return;
      if (started) stream.write(frame);
      else queued.push(Buffer.from(frame));
    };
    const end = () => {
      if (answered || stream.destroyed) return;
      answered = true;
      if (started) stream.end();
    };

    stream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readUInt32BE(0)) {
        const length = pending.readUInt32BE(0);
        onFrame(codec.decode(pending.subarray(0, length)));
        pending = pending.subarray(length);
      }
    });

    void (async () => {
      if (hold) {
        hold.arrived();
        await hold.released;
      }
      if (stream.destroyed) return;
      const refusal = refuse(headers, failing);
      if (refusal) {
        stream.respond({
          ':status': refusal.status,
          'content-type': 'application/json',
          'x-amzn-errortype': refusal.errorType,
        });
        stream.end(JSON.stringify({ Message: refusal.message }));
        answered = true;
        return;
      }
      stream.respond({
        ':status': 200,
        'content-type': 'application/vnd.amazon.eventstream',
        'x-amzn-request-id': `fake-${sessions.length}`,
      });
      started = true;
      for (const frame of queued.splice(0)) stream.write(frame);
      if (answered) stream.end();
    })();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sessions,
    hear: (pcm, sampleRate, transcript) => heard.set(keyOf(sampleRate, Buffer.from(pcm)), transcript),
    failNext: (next) => {
      failure = next;
    },
    hold: () => {
      let release!: () => void;
      let arrived!: () => void;
      const received = new Promise<void>((resolve) => (arrived = resolve));
      held = { arrived, released: new Promise<void>((resolve) => (release = resolve)) };
      return { received, release };
    },
    close: () =>
      new Promise((resolve) => {
        for (const session of live) session.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What Transcribe refuses before streaming anything: a bad route, missing signature, or parameters out of range. */
function refuse(
  headers: IncomingHttpHeaders,
  failing: TranscribeFailure | undefined,
): { status: number; errorType: string; message: string } | undefined {
  if (failing?.kind === 'http')
    return { status: failing.status, errorType: failing.errorType, message: `${failing.errorType} from the fake` };
  if (headers[':method'] !== 'POST' || headers[':path'] !== '/stream-transcription')
    return { status: 404, errorType: 'UnknownOperationException', message: String(headers[':path']) };
  if (!String(headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '))
    return { status: 403, errorType: 'AccessDeniedException', message: 'unsigned request' };
  if (headers['content-type'] !== 'application/vnd.amazon.eventstream')
    return { status: 400, errorType: 'BadRequestException', message: 'not an event stream' };
  if (!LANGUAGES.has(String(headers['x-amzn-transcribe-language-code'])))
    return { status: 400, errorType: 'BadRequestException', message: 'unsupported language code' };
  if (headers['x-amzn-transcribe-media-encoding'] !== 'pcm')
    return { status: 400, errorType: 'BadRequestException', message: 'unsupported media encoding' };
  const rate = Number(headers['x-amzn-transcribe-sample-rate']);
  if (!Number.isInteger(rate) || rate < 8000 || rate > 48_000)
    return { status: 400, errorType: 'BadRequestException', message: 'sample rate out of range' };
  return undefined;
}

function transcriptEvent(results: unknown[]): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: 'TranscriptEvent' },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify({ Transcript: { Results: results } })),
  });
}

function exception(errorType: string): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'exception' },
      ':exception-type': { type: 'string', value: errorType },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify({ Message: `${errorType} from the fake` })),
  });
}

function keyOf(sampleRate: number, pcm: Buffer): string {
  return `${sampleRate}:${createHash('sha256').update(pcm).digest('hex')}`;
}
