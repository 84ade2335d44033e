import { describe, expect, it, vi } from 'vitest';
import { parseWav } from '../../../adapters/shared/wav';
import { HttpVoice, httpVoiceProblem } from '../src/http-voice';
import { fromBase64, toBase64 } from '../src/wav';
import type { VoiceEvent } from '../src/voice-transport';

const pcm = (n: number, value = 100) => new Int16Array(n).fill(value).buffer;
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status < 300 ? 'application/json' : 'application/problem+json', ...headers },
  });

function harness(answer: (init: RequestInit) => Response | Promise<Response>, maxSeconds?: number) {
  const events: VoiceEvent[] = [];
  const calls: { url: string; init: RequestInit }[] = [];
  let settled = () => undefined as void;
  const done = new Promise<void>((resolve) => (settled = resolve));
  const fetchImpl = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: url instanceof Request ? url.url : url.toString(), init: init ?? {} });
    return answer(init ?? {});
  });
  const voice = new HttpVoice({
    token: 'tok',
    apiBase: 'https://abc.execute-api.eu-west-1.amazonaws.com/v1stage',
    conversationId: Promise.resolve('c 1'),
    handlers: {
      event: (event) => {
        events.push(event);
        if (event.type === 'turn' || event.type === 'error') settled();
      },
      error: vi.fn(),
      closed: vi.fn(),
    },
    fetchImpl: fetchImpl,
    ...(maxSeconds !== undefined && { maxSeconds }),
  });
  return { voice, events, calls, done };
}

describe('HttpVoice: one utterance, one POST /turns', () => {
  it('buffers the frames, posts them as a WAV with the bearer token, reports heard, reply and PCM audio', async () => {
    const reply = new Int16Array([1, 2, 3, 4]);
    const { voice, events, calls, done } = harness(() =>
      json({
        heard: 'what time is it',
        text: 'It is noon.',
        audio: {
          data: toBase64(new Uint8Array(reply.buffer)),
          format: 'pcm',
          mimeType: 'audio/L16',
          sampleRate: 22_050,
        },
      }),
    );
    voice.send(pcm(320));
    voice.send(pcm(320, -5));
    expect(calls).toHaveLength(0);
    voice.end();
    await done;
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe('https://abc.execute-api.eu-west-1.amazonaws.com/v1stage/v1/conversations/c%201/turns');
    expect(call?.init.method).toBe('POST');
    expect(call?.init.headers).toMatchObject({ authorization: 'Bearer tok', 'content-type': 'application/json' });
    const body = JSON.parse(call?.init.body as string) as { audio: { data: string; format: string }; speech: unknown };
    expect(body.audio.format).toBe('wav');
    expect(body.speech).toEqual({ format: 'pcm' });
    const wav = parseWav(fromBase64(body.audio.data));
    expect(wav.sampleRate).toBe(16_000);
    expect(wav.samples.length).toBe(640);
    expect(wav.samples[639]).toBe(-5);
    expect(events.map((e) => e.type)).toEqual([
      'speech-started',
      'speech-ended',
      'transcript',
      'reply-delta',
      'audio-start',
      'audio',
      'turn',
    ]);
    expect(events[2]).toEqual({ type: 'transcript', text: 'what time is it' });
    expect(events[4]).toEqual({ type: 'audio-start', sampleRate: 22_050 });
    const audio = events[5] as { data: ArrayBuffer };
    expect(Array.from(new Int16Array(audio.data))).toEqual([1, 2, 3, 4]);
    expect(events[6]).toEqual({ type: 'turn', turn: { heard: 'what time is it', text: 'It is noon.' } });
  });

  it('ends the utterance at the limit, says so, and sends nothing more until the next one', async () => {
    const { voice, events, calls, done } = harness(() => json({ heard: 'long', text: 'ok' }), 0.04);
    voice.send(pcm(320));
    voice.send(pcm(320));
    voice.send(pcm(320));
    voice.end();
    await done;
    expect(events.slice(0, 3)).toEqual([
      { type: 'speech-started' },
      { type: 'speech-ended' },
      { type: 'limit', seconds: 0.04 },
    ]);
    expect(calls).toHaveLength(1);
    const body = JSON.parse(calls[0]?.init.body as string) as { audio: { data: string } };
    expect(parseWav(fromBase64(body.audio.data)).samples.length).toBe(640);
  });

  it('barge-in: a frame after end drops the pending reply (its request aborted) and starts the next one', async () => {
    const signals: AbortSignal[] = [];
    const { voice, events } = harness(
      (init) =>
        new Promise<Response>((_resolve, reject) => {
          signals.push(init.signal as AbortSignal);
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    );
    voice.send(pcm(320));
    voice.end();
    await vi.waitFor(() => expect(signals).toHaveLength(1));
    voice.send(pcm(320));
    expect(signals[0]?.aborted).toBe(true);
    await Promise.resolve();
    expect(events.map((e) => e.type)).toEqual(['speech-started', 'speech-ended', 'speech-started']);
    voice.close();
  });

  it('reports an utterance with no audio without posting it', async () => {
    const { voice, events, calls, done } = harness(() => json({}));
    voice.send(new ArrayBuffer(0));
    voice.end();
    await done;
    expect(calls).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: 'error', problem: { code: 'AUDIO_EMPTY' } });
  });

  it('reports a server that cannot be reached', async () => {
    const { voice, events, done } = harness(() => Promise.reject(new TypeError('Failed to fetch')));
    voice.send(pcm(320));
    voice.end();
    await done;
    expect(events.at(-1)).toMatchObject({ type: 'error', problem: { code: 'UNREACHABLE' } });
  });
});

describe('httpVoiceProblem: the API refusals as the Talk states', () => {
  const problem = (status: number, code?: string, detail = 'server detail', headers = {}) =>
    httpVoiceProblem(json({ status, ...(code && { code }), detail }, status, headers), 30);

  it('maps 401, 413, 415, 422, 429 and 503 to what the user can do', async () => {
    expect(await problem(401, 'UNAUTHENTICATED')).toMatchObject({ code: 'UNAUTHENTICATED', detail: /expired/ });
    expect(await problem(413, 'AUDIO_TOO_LARGE')).toMatchObject({ status: 413, detail: /at most 30 s/ });
    expect(await problem(415, 'AUDIO_UNSUPPORTED_FORMAT')).toMatchObject({ detail: /did not accept.*server detail/ });
    expect(await problem(422, 'AUDIO_SILENT')).toMatchObject({ code: 'AUDIO_SILENT', detail: /Nothing was heard/ });
    expect(await problem(422, 'AUDIO_TOO_LONG')).toMatchObject({ detail: /at most 30 s per turn/ });
    expect(await problem(422, 'AUDIO_CORRUPT')).toMatchObject({ detail: 'server detail' });
    expect(await problem(429, 'RATE_LIMITED', 'Slow down.', { 'retry-after': '7' })).toMatchObject({
      status: 429,
      detail: 'Slow down. Try again in 7 s.',
    });
    expect(
      await problem(503, 'SPEECH_UNAVAILABLE', 'The speech service is unavailable right now; retry later.'),
    ).toMatchObject({
      code: 'SPEECH_UNAVAILABLE',
      detail: /unavailable right now; retry later\. The voice turn was not answered\./,
    });
    expect(await problem(501, 'CAPABILITY_MISSING', 'no recognizer')).toEqual({
      code: 'CAPABILITY_MISSING',
      status: 501,
      detail: 'no recognizer',
    });
  });

  it("keeps the status line when a gateway's error is not a problem document", async () => {
    const answer = new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' });
    expect(await httpVoiceProblem(answer)).toEqual({ status: 502, detail: '502 Bad Gateway' });
  });
});
