import { encodeWav, fromBase64, toBase64, wavSamples } from './wav';
import type { VoiceProblem, VoiceTransport, VoiceTransportHandlers } from './voice-transport';

/** The microphone worklet's rate: what every frame passed to `send` carries. */
const SAMPLE_RATE = 16_000;
/**
 * The longest utterance sent in one turn: the API's default `AUDIO_MAX_SECONDS` (30), which the deployed stack keeps.
 * Longer audio would be refused (422), so the transport ends the utterance there and says so.
 */
export const MAX_UTTERANCE_SECONDS = 30;

export interface HttpVoiceOptions {
  token: string;
  /** The API's base URL from /config.json (`apiBase`; empty for the page's own origin). */
  apiBase: string;
  conversationId: Promise<string>;
  handlers: VoiceTransportHandlers;
  maxSeconds?: number;
  fetchImpl?: typeof fetch;
}

interface TurnReplyBody {
  heard?: string;
  text?: string;
  interrupted?: boolean;
  audio?: { data: string; format: string; sampleRate: number };
}

/**
 * Voice over plain HTTP, for deployments without the voice socket (API Gateway REST): the frames of one utterance are
 * buffered (at most `maxSeconds`), then sent as a WAV in one `POST /v1/conversations/{id}/turns` asking for PCM
 * speech; the reply's transcript, text and audio come back as the same events the socket sends. There is no
 * streaming and no server-side VAD: the utterance ends when the button is released or the hands-free gate says so.
 * A frame after `end` starts the next utterance and drops the pending reply (the request is aborted); the server's
 * history cannot mark a reply interrupted on this transport, since the whole reply was stored before it played.
 */
export class HttpVoice implements VoiceTransport {
  private frames: ArrayBuffer[] = [];
  private samples = 0;
  /** recording: frames arrive; full: the limit was reached and the utterance sent, frames dropped until `end`. */
  private state: 'idle' | 'recording' | 'full' | 'sent' = 'idle';
  private request: AbortController | undefined;
  private closed = false;
  private readonly maxSamples: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: HttpVoiceOptions) {
    this.maxSamples = (options.maxSeconds ?? MAX_UTTERANCE_SECONDS) * SAMPLE_RATE;
    this.fetchImpl = options.fetchImpl ?? ((...args) => fetch(...args));
  }

  send(frame: ArrayBuffer): void {
    if (this.closed || this.state === 'full') return;
    if (this.state !== 'recording') {
      this.cancel();
      this.state = 'recording';
      this.options.handlers.event({ type: 'speech-started' });
    }
    this.frames.push(frame);
    this.samples += frame.byteLength / 2;
    if (this.samples >= this.maxSamples) {
      this.flush();
      this.state = 'full';
      // Last: the listener may end the utterance at once (push-to-talk releases the button).
      this.options.handlers.event({ type: 'limit', seconds: this.maxSamples / SAMPLE_RATE });
    }
  }

  /** Sends the utterance; with nothing recorded (a tap on the button) it reports that instead of staying silent. */
  end(): void {
    if (this.closed || this.state === 'sent') return;
    if (this.state !== 'full') this.flush();
    this.state = 'sent';
  }

  cancel(): void {
    this.request?.abort();
    this.request = undefined;
    this.frames = [];
    this.samples = 0;
    if (this.state !== 'full') this.state = 'idle';
  }

  close(): void {
    this.closed = true;
    this.cancel();
  }

  private flush(): void {
    const frames = this.frames;
    this.frames = [];
    this.samples = 0;
    this.options.handlers.event({ type: 'speech-ended' });
    const controller = new AbortController();
    this.request = controller;
    void this.post(frames, controller);
  }

  private async post(frames: ArrayBuffer[], controller: AbortController): Promise<void> {
    const emit = (event: Parameters<VoiceTransportHandlers['event']>[0]) => {
      if (!controller.signal.aborted) this.options.handlers.event(event);
    };
    const fail = (problem: VoiceProblem) => {
      if (this.request === controller) this.request = undefined;
      emit({ type: 'error', problem });
    };
    if (frames.every((frame) => frame.byteLength < 2)) {
      fail({ code: 'AUDIO_EMPTY', detail: 'Nothing was recorded. Hold the button while you speak.' });
      return;
    }
    let response: Response;
    try {
      const id = await this.options.conversationId;
      const wav = encodeWav(frames, SAMPLE_RATE);
      response = await this.fetchImpl(`${this.options.apiBase}/v1/conversations/${encodeURIComponent(id)}/turns`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify({ audio: { data: toBase64(wav), format: 'wav' }, speech: { format: 'pcm' } }),
        signal: controller.signal,
      });
    } catch (error) {
      if (controller.signal.aborted) return;
      fail({
        code: 'UNREACHABLE',
        detail: `The server cannot be reached (${error instanceof Error ? error.message : String(error)}). Try again.`,
      });
      return;
    }
    try {
      if (!response.ok) {
        fail(await httpVoiceProblem(response, this.maxSamples / SAMPLE_RATE));
        return;
      }
      const reply = (await response.json()) as TurnReplyBody;
      if (this.request === controller) this.request = undefined;
      const heard = reply.heard ?? '';
      const text = reply.text ?? '';
      emit({ type: 'transcript', text: heard });
      emit({ type: 'reply-delta', text });
      const audio = reply.audio && replyPcm(reply.audio);
      if (audio) {
        emit({ type: 'audio-start', sampleRate: audio.sampleRate });
        emit({ type: 'audio', data: audio.pcm });
      }
      emit({ type: 'turn', turn: { heard, text, ...(reply.interrupted && { interrupted: true }) } });
    } catch (error) {
      if (controller.signal.aborted) return;
      fail({ detail: `The reply could not be read (${error instanceof Error ? error.message : String(error)}).` });
    }
  }
}

/** The reply's audio as 16-bit PCM (asked for as `pcm`; a WAV is unwrapped); other formats are not played. */
function replyPcm(audio: NonNullable<TurnReplyBody['audio']>): { pcm: ArrayBuffer; sampleRate: number } | undefined {
  const bytes = fromBase64(audio.data);
  if (audio.format === 'pcm') return { pcm: bytes.buffer, sampleRate: audio.sampleRate };
  if (audio.format === 'wav') return wavSamples(bytes);
  return undefined;
}

/** A failed turn request as the Talk component shows it: the same states as the socket's errors. */
export async function httpVoiceProblem(response: Response, maxSeconds = MAX_UTTERANCE_SECONDS): Promise<VoiceProblem> {
  let body: { code?: string; detail?: string; title?: string } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not a problem document (a gateway's own error page): the status decides.
  }
  const { status } = response;
  const detail = body.detail ?? body.title ?? `${status} ${response.statusText}`.trim();
  const problem = (code: string | undefined, text: string): VoiceProblem => ({
    ...(code && { code }),
    status,
    detail: text,
  });
  switch (status) {
    case 401:
      return problem('UNAUTHENTICATED', 'Your session has expired. Sign in again to continue.');
    case 413:
      return problem(
        body.code ?? 'AUDIO_TOO_LARGE',
        `That was too long to send in one turn (at most ${maxSeconds} s). Say it in shorter parts.`,
      );
    case 415:
      return problem(body.code ?? 'AUDIO_UNSUPPORTED_FORMAT', `The server did not accept the recording: ${detail}`);
    case 422:
      if (body.code === 'AUDIO_SILENT' || body.code === 'AUDIO_EMPTY')
        return problem(
          body.code,
          'Nothing was heard in the recording. Speak a little louder or closer, then try again.',
        );
      if (body.code === 'AUDIO_TOO_LONG')
        return problem(body.code, `That was too long (at most ${maxSeconds} s per turn). Say it in shorter parts.`);
      return problem(body.code, detail);
    case 429: {
      const retry = Number(response.headers.get('retry-after') ?? '');
      const when = Number.isFinite(retry) && retry > 0 ? `Try again in ${retry} s.` : 'Wait a moment, then try again.';
      return problem(body.code ?? 'RATE_LIMITED', `${detail} ${when}`);
    }
    case 503:
      return problem(body.code ?? 'UNAVAILABLE', `${detail.replace(/\.?$/, '.')} The voice turn was not answered.`);
    default:
      return problem(body.code, detail);
  }
}
