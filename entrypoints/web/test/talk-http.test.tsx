// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** The frames callback of the microphone the component opened last. */
const mic: { onFrame: (pcm: ArrayBuffer, level: number) => void; opened: number } = vi.hoisted(() => ({
  onFrame: () => undefined,
  opened: 0,
}));
/** What the stand-in reply player was asked to play, and its state. */
const player: {
  played: { bytes: ArrayBuffer; rate: number }[];
  stopped: number;
  playing: boolean;
  onIdle: () => void;
} = vi.hoisted(() => ({ played: [], stopped: 0, playing: false, onIdle: () => undefined }));

vi.mock('../src/microphone', () => ({
  microphoneProblem: (error: unknown) => String(error),
  openMic: vi.fn(async (onFrame: (pcm: ArrayBuffer, level: number) => void) => {
    mic.onFrame = onFrame;
    mic.opened += 1;
    return {
      context: { close: () => Promise.resolve(), state: 'running' },
      stream: { getTracks: () => [] },
      node: { disconnect: () => undefined },
    };
  }),
}));
vi.mock('../src/reply-player', () => ({
  ReplyPlayer: class {
    rate = 16_000;
    constructor(onIdle: () => void) {
      player.onIdle = onIdle;
    }
    resume() {}
    get playing() {
      return player.playing;
    }
    play(bytes: ArrayBuffer) {
      player.played.push({ bytes, rate: this.rate });
      player.playing = true;
    }
    stop() {
      player.stopped += 1;
      player.playing = false;
    }
    close() {}
  },
}));

const { Talk } = await import('../src/Talk');
const { fromBase64, toBase64 } = await import('../src/wav');

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLDivElement;
let root: Root;
const sockets = vi.fn();
beforeEach(() => {
  localStorage.removeItem('assistant.handsFree');
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  player.played = [];
  player.stopped = 0;
  player.playing = false;
  vi.stubGlobal('WebSocket', sockets);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
  vi.unstubAllGlobals();
  sockets.mockClear();
});

const API = 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1stage';
const replyAudio = toBase64(new Uint8Array(new Int16Array([10, 20, 30]).buffer));

function render(fetchImpl: typeof fetch, extra: { onUnauthenticated?: () => void } = {}) {
  vi.stubGlobal('fetch', fetchImpl);
  const onTurn = vi.fn();
  act(() =>
    root.render(
      <Talk
        token="tok"
        voice="http"
        apiBase={API}
        conversationId={() => Promise.resolve('c1')}
        onTurn={onTurn}
        {...extra}
      />,
    ),
  );
  const button = container.querySelector<HTMLButtonElement>('.talk > button');
  if (!button) throw new Error('no talk button');
  return { onTurn, button };
}

/** Holds the button while the microphone gives `frames` frames of 20 ms, then releases it. */
async function speak(button: HTMLButtonElement, frames = 10) {
  await act(async () => button.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true })));
  act(() => {
    for (let i = 0; i < frames; i++) mic.onFrame(new Int16Array(320).fill(i).buffer, 0.1);
  });
  await act(async () => button.dispatchEvent(new PointerEvent('pointerup', { bubbles: true })));
}

/** Waits for `check` to pass, inside act: the reply arrives from a resolved fetch and updates the component. */
const settled = (check: () => void) => act(() => vi.waitFor(check));

const text = (id: string) => container.querySelector(`[data-testid="${id}"]`)?.textContent ?? '';

describe('Talk over HTTP (voice: "http" in /config.json)', () => {
  it('push-to-talk posts the utterance as one turn; the transcript and reply show, the audio plays', async () => {
    let answer = () => undefined as void;
    const asked = new Promise<void>((resolve) => (answer = resolve));
    const fetchImpl = vi.fn(async () => {
      await asked;
      return Response.json({
        heard: 'what time is it',
        text: 'It is noon.',
        audio: { data: replyAudio, format: 'pcm', mimeType: 'audio/L16', sampleRate: 22_050 },
      });
    });
    const { onTurn, button } = render(fetchImpl);
    expect(container.querySelector('#talk-help')?.textContent).toMatch(/sent when you finish, up to 30 s/);
    await speak(button);
    // A frame the worklet posted before the release arrives after it: it must not start another utterance.
    act(() => mic.onFrame(new Int16Array(320).buffer, 0.1));
    answer();
    await settled(() => expect(onTurn).toHaveBeenCalledWith('what time is it', 'It is noon.', false));
    expect(sockets).not.toHaveBeenCalled();
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe(`${API}/v1/conversations/c1/turns`);
    expect((init.headers as Record<string, string>).authorization).toBe('Bearer tok');
    const body = JSON.parse(init.body as string) as { audio: { format: string; data: string } };
    expect(body.audio.format).toBe('wav');
    expect(fromBase64(body.audio.data).length).toBe(44 + 10 * 640);
    expect(text('transcript')).toBe('You said: what time is it');
    expect(text('voice-reply')).toBe('It is noon.');
    expect(player.played).toHaveLength(1);
    expect(player.played[0]?.rate).toBe(22_050);
    expect(Array.from(new Int16Array(player.played[0]?.bytes ?? new ArrayBuffer(0)))).toEqual([10, 20, 30]);
    expect(container.querySelector('.talk')?.getAttribute('data-phase')).toBe('speaking');
    expect(button.textContent).toBe('Interrupt and talk');
    act(() => {
      player.playing = false;
      player.onIdle();
    });
    expect(container.querySelector('.talk')?.getAttribute('data-phase')).toBe('idle');
  });

  it('barge-in: pressing while the reply plays stops it and starts the next utterance', async () => {
    const fetchImpl = vi.fn(async () =>
      Response.json({
        heard: 'weather in paris',
        text: 'Sunny.',
        audio: { data: replyAudio, format: 'pcm', mimeType: 'audio/L16', sampleRate: 16_000 },
      }),
    );
    const { onTurn, button } = render(fetchImpl);
    await speak(button);
    await settled(() => expect(onTurn).toHaveBeenCalledTimes(1));
    expect(player.playing).toBe(true);
    const opened = mic.opened;
    await act(async () => button.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true })));
    expect(player.stopped).toBe(1);
    expect(mic.opened).toBe(opened + 1);
    expect(button.textContent).toBe('Listening… release to send');
    act(() => mic.onFrame(new Int16Array(320).buffer, 0.1));
    await act(async () => button.dispatchEvent(new PointerEvent('pointerup', { bubbles: true })));
    await settled(() => expect(fetchImpl).toHaveBeenCalledTimes(2));
  });

  it('maps a refused turn to the error states: 401 signs out, 429 says when to retry', async () => {
    const onUnauthenticated = vi.fn();
    const answers = [
      Response.json({ status: 401, code: 'UNAUTHENTICATED', detail: 'bad token' }, { status: 401 }),
      Response.json(
        { status: 429, code: 'RATE_LIMITED', detail: 'Too many requests.' },
        { status: 429, headers: { 'retry-after': '12' } },
      ),
    ];
    const fetchImpl = vi.fn(async () => answers.shift() ?? Response.json({}, { status: 500 }));
    const { button } = render(fetchImpl, { onUnauthenticated });
    await speak(button);
    await settled(() => expect(onUnauthenticated).toHaveBeenCalledTimes(1));
    expect(text('talk-problem')).toMatch(/session has expired/);
    await speak(button);
    await settled(() => expect(text('talk-problem')).toBe('Too many requests. Try again in 12 s.'));
    expect(container.querySelector('.talk')?.getAttribute('data-phase')).toBe('idle');
  });
});
