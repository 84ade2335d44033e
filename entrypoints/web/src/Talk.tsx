import { useEffect, useRef, useState } from 'react';

export interface TalkProps {
  token: string;
  /** The conversation to talk in (created on first use). */
  conversationId: () => Promise<string>;
  /** A finished voice turn: what was heard and the reply, for the message list. */
  onTurn: (heard: string, reply: string) => void;
}

type Phase = 'idle' | 'listening' | 'thinking' | 'speaking';

/** Why the microphone could not be opened, and what to do about it. */
export function microphoneProblem(error: unknown): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'Microphone access was denied. Allow the microphone for this site in the browser settings, or type instead.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'No microphone was found. Connect one and try again, or type instead.';
  if (!('mediaDevices' in navigator))
    return 'This page cannot use the microphone here (it needs https or localhost). You can still type.';
  return `The microphone could not be opened (${name || String(error)}). You can still type.`;
}

/**
 * Push-to-talk over the voice.v1 WebSocket: hold the button (or the space bar outside text fields) to speak; the mic
 * is downsampled to 16 kHz PCM16 frames by an AudioWorklet; the transcript and the reply stream in; reply audio plays
 * sentence by sentence; pressing again while it talks interrupts it (cancel).
 */
export function Talk({ token, conversationId, onTurn }: TalkProps) {
  const [phase, setPhase] = useState<Phase>('idle');
  const [problem, setProblem] = useState<string | null>(null);
  const [transcript, setTranscript] = useState('');
  const [reply, setReply] = useState('');
  const [level, setLevel] = useState(0);
  const socket = useRef<WebSocket | null>(null);
  const audio = useRef<{ context: AudioContext; stream: MediaStream; node: AudioWorkletNode } | null>(null);
  const playback = useRef<{ context: AudioContext; at: number; rate: number; sources: AudioBufferSourceNode[] } | null>(
    null,
  );
  const heard = useRef('');
  const replyText = useRef('');
  const held = useRef(false);

  function stopPlayback() {
    const play = playback.current;
    if (!play) return;
    for (const source of play.sources) source.stop();
    play.sources = [];
    play.at = 0;
  }

  function stopMic() {
    audio.current?.node.disconnect();
    audio.current?.stream.getTracks().forEach((track) => track.stop());
    void audio.current?.context.close();
    audio.current = null;
    setLevel(0);
  }

  function play(bytes: ArrayBuffer) {
    const play = playback.current;
    if (!play) return;
    const samples = new Int16Array(bytes);
    const buffer = play.context.createBuffer(1, samples.length, play.rate);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < samples.length; i++) channel[i] = (samples[i] ?? 0) / 0x8000;
    const source = play.context.createBufferSource();
    source.buffer = buffer;
    source.connect(play.context.destination);
    play.at = Math.max(play.at, play.context.currentTime);
    source.start(play.at);
    play.at += buffer.duration;
    play.sources.push(source);
    source.onended = () => {
      if (!playback.current) return;
      playback.current.sources = playback.current.sources.filter((s) => s !== source);
      if (playback.current.sources.length === 0 && socket.current === null) setPhase('idle');
    };
  }

  function onMessage(event: MessageEvent<string | ArrayBuffer>) {
    if (typeof event.data !== 'string') {
      play(event.data);
      return;
    }
    const message = JSON.parse(event.data) as {
      type: string;
      text?: string;
      format?: { sampleRate: number };
      problem?: { detail?: string; title?: string; code?: string };
    };
    switch (message.type) {
      case 'transcript':
        heard.current = message.text ?? '';
        setTranscript(heard.current);
        setPhase('thinking');
        break;
      case 'reply-delta':
        replyText.current += message.text ?? '';
        setReply(replyText.current);
        break;
      case 'audio-start':
        if (playback.current && message.format) playback.current.rate = message.format.sampleRate;
        setPhase('speaking');
        break;
      case 'turn':
        onTurn(heard.current, replyText.current);
        socket.current?.close();
        socket.current = null;
        if (!playback.current?.sources.length) setPhase('idle');
        break;
      case 'error': {
        const detail = message.problem?.detail ?? message.problem?.title ?? 'The voice turn failed.';
        setProblem(
          message.problem?.code === 'CAPABILITY_MISSING'
            ? `${detail} Speech recognition is not available on this server's profile; type your question instead.`
            : detail,
        );
        socket.current?.close();
        socket.current = null;
        stopMic();
        setPhase('idle');
        break;
      }
    }
  }

  async function press() {
    if (held.current) return;
    held.current = true;
    setProblem(null);
    if (socket.current && (phase === 'speaking' || phase === 'thinking')) {
      // Barge-in: stop the reply where it is; the server keeps what was heard.
      socket.current.send(JSON.stringify({ type: 'cancel' }));
      socket.current.close();
      socket.current = null;
      stopPlayback();
    }
    let stream: MediaStream;
    try {
      if (!navigator.mediaDevices) throw new Error('no mediaDevices');
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
      });
    } catch (error) {
      held.current = false;
      setProblem(microphoneProblem(error));
      return;
    }
    try {
      const context = new AudioContext();
      await context.audioWorklet.addModule('/pcm-worklet.js');
      const node = new AudioWorkletNode(context, 'pcm-frames');
      context.createMediaStreamSource(stream).connect(node);
      audio.current = { context, stream, node };
      playback.current ??= { context: new AudioContext(), at: 0, rate: 16_000, sources: [] };
      void playback.current.context.resume();
      const id = await conversationId();
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      const ws = new WebSocket(`${scheme}://${location.host}/v1/voice`, ['voice.v1', `bearer.${token}`]);
      ws.binaryType = 'arraybuffer';
      socket.current = ws;
      heard.current = '';
      replyText.current = '';
      setTranscript('');
      setReply('');
      ws.onopen = () => ws.send(JSON.stringify({ type: 'start', conversationId: id }));
      ws.onmessage = onMessage;
      ws.onerror = () => setProblem('The voice connection failed. Check that the server is running, then try again.');
      node.port.onmessage = (event: MessageEvent<{ pcm: ArrayBuffer; level: number }>) => {
        setLevel(event.data.level);
        if (ws.readyState === WebSocket.OPEN) ws.send(event.data.pcm);
      };
      setPhase('listening');
      if (!held.current) release();
    } catch (error) {
      stream.getTracks().forEach((track) => track.stop());
      held.current = false;
      setProblem(`Talking is not available: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  function release() {
    held.current = false;
    if (!audio.current) return;
    stopMic();
    if (socket.current?.readyState === WebSocket.OPEN) socket.current.send(JSON.stringify({ type: 'end' }));
    setPhase('thinking');
  }

  useEffect(() => {
    const editable = (target: EventTarget | null) =>
      target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName));
    const down = (event: KeyboardEvent) => {
      if (event.code !== 'Space' || event.repeat || editable(event.target)) return;
      event.preventDefault();
      void press();
    };
    const up = (event: KeyboardEvent) => {
      if (event.code !== 'Space' || editable(event.target)) return;
      event.preventDefault();
      release();
    };
    addEventListener('keydown', down);
    addEventListener('keyup', up);
    return () => {
      removeEventListener('keydown', down);
      removeEventListener('keyup', up);
    };
  });
  useEffect(
    () => () => {
      socket.current?.close();
      stopMic();
      void playback.current?.context.close();
    },
    // Unmount only.
    [],
  );

  const label =
    phase === 'listening' ? 'Listening… release to send' : phase === 'speaking' ? 'Interrupt and talk' : 'Hold to talk';
  return (
    <div className="talk">
      <button
        type="button"
        aria-pressed={phase === 'listening'}
        aria-describedby="talk-help"
        onPointerDown={() => void press()}
        onPointerUp={release}
        onPointerLeave={() => held.current && release()}
        onKeyDown={(event) => {
          if ((event.key === ' ' || event.key === 'Enter') && !event.repeat) {
            event.preventDefault();
            void press();
          }
        }}
        onKeyUp={(event) => {
          if (event.key === ' ' || event.key === 'Enter') release();
        }}
      >
        {label}
      </button>
      <div
        className="meter"
        role="meter"
        aria-label="Microphone level"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(Math.min(1, level * 4) * 100)}
      >
        <div ref={(el) => el?.style.setProperty('width', `${Math.round(Math.min(1, level * 4) * 100)}%`)} />
      </div>
      <p id="talk-help" className="hint">
        Hold the button or the space bar while you speak.
      </p>
      <p aria-live="polite" className="transcript" data-testid="transcript">
        {transcript && `You said: ${transcript}`}
      </p>
      <p aria-live="polite" className="voice-reply" data-testid="voice-reply">
        {reply}
      </p>
      {problem && (
        <p role="alert" className="error" data-testid="talk-problem">
          {problem}
        </p>
      )}
    </div>
  );
}
