import { useEffect, useRef, useState } from 'react';
import { SpeechGate, type GateEvent } from './hands-free/speech-gate';
import { VoiceActivity } from './hands-free/voice-activity';
import { microphoneProblem, openMic, type Mic } from './microphone';
import { HttpVoice } from './http-voice';
import { ReplyPlayer } from './reply-player';
import { TalkView, type Phase } from './TalkView';
import { VoiceSocket } from './voice-socket';
import type { VoiceEvent, VoiceMode, VoiceTransport, VoiceTransportHandlers } from './voice-transport';

export interface TalkProps {
  token: string;
  /** The conversation to talk in (created on first use). */
  conversationId: () => Promise<string>;
  /** A finished voice turn: what was heard and the reply (the part heard, when interrupted), for the message list. */
  onTurn: (heard: string, reply: string, interrupted: boolean) => void;
  /** How utterances reach the server (`voice` in /config.json): the voice.v1 socket (default) or HTTP turns. */
  voice?: VoiceMode;
  /** The API's base URL (`apiBase` in /config.json), where the HTTP transport posts its turns. */
  apiBase?: string;
  /** The API refused the token (HTTP transport): the session has expired. */
  onUnauthenticated?: () => void;
}

const HANDS_FREE_KEY = 'assistant.handsFree';

/**
 * Talking, over the voice.v1 WebSocket or, where there is none (API Gateway REST), one HTTP turn per utterance: both
 * are a VoiceTransport reporting the same events, so the phases below hold for both. Push-to-talk: hold the button
 * (or the space bar outside text fields) to speak; pressing while it talks interrupts (cancel). Hands-free: the mic
 * stays open and a voice gate in the page (the WebRTC VAD in a worker plus a noise-floor level check) sends audio only
 * while the user speaks, with 300 ms of pre-roll; the server endpoints the utterance as for push-to-talk (an `end`
 * follows the gate's 700 ms hangover in case it has not yet). Speaking while the reply plays interrupts it (barge-in:
 * cancel, then the new utterance on the same socket). Over HTTP the gate alone ends the utterance, and an interrupted
 * reply stays whole in the server's history.
 */
export function Talk({
  token,
  conversationId,
  onTurn,
  voice = 'websocket',
  apiBase = '',
  onUnauthenticated,
}: TalkProps) {
  const [phase, setPhaseState] = useState<Phase>('idle');
  const [handsFree, setHandsFree] = useState(() => localStorage.getItem(HANDS_FREE_KEY) === '1');
  const [problem, setProblem] = useState<string | null>(null);
  const [transcript, setTranscript] = useState('');
  const [reply, setReply] = useState('');
  const [level, setLevel] = useState(0);
  /** Which detector gates hands-free speech: the WebRTC VAD, or the level alone if it could not load. */
  const [detector, setDetector] = useState<'webrtc' | 'energy' | null>(null);
  const phaseRef = useRef<Phase>('idle');
  const socket = useRef<VoiceTransport | null>(null);
  const mic = useRef<Mic | null>(null);
  const player = useRef<ReplyPlayer | null>(null);
  const hands = useRef<{ gate: SpeechGate; vad: VoiceActivity } | null>(null);
  const heard = useRef('');
  const replyText = useRef('');
  const held = useRef(false);
  /** The server's VAD found speech in what the gate sent (else the gate's start was a false alarm). */
  const serverHeard = useRef(false);
  /** Hands-free: an utterance the server heard has no transcript yet (its turn is still to come on this socket). */
  const awaitingReply = useRef(false);
  /** The `turn` message of the reply being played has arrived: when playback ends, the exchange is over. */
  const replyDone = useRef(false);
  /** After a barge-in, reply audio still in flight from the interrupted reply is dropped. */
  const muted = useRef(false);

  function setPhase(next: Phase) {
    phaseRef.current = next;
    setPhaseState(next);
  }
  const restPhase = (): Phase => (hands.current ? (hands.current.gate.speaking ? 'hearing' : 'listening') : 'idle');

  function playerOf(): ReplyPlayer {
    player.current ??= new ReplyPlayer(() => {
      if (phaseRef.current === 'speaking' && (socket.current === null || replyDone.current)) setPhase(restPhase());
    });
    return player.current;
  }

  function stopMic() {
    mic.current?.node.disconnect();
    mic.current?.stream.getTracks().forEach((track) => track.stop());
    void mic.current?.context.close();
    mic.current = null;
    setLevel(0);
  }

  function send(frame: ArrayBuffer) {
    socket.current?.send(frame);
  }

  function closeSocket() {
    socket.current?.close();
    socket.current = null;
  }

  /** Opens the configured transport for this conversation (created on first use). */
  async function connect(): Promise<void> {
    const id = conversationId();
    const handlers: VoiceTransportHandlers = {
      event: (event) => {
        if (socket.current === opened) onEvent(event);
      },
      error: () => setProblem('The voice connection failed. Check that the server is running, then try again.'),
      closed: () => {
        if (socket.current !== opened) return;
        socket.current = null;
        if (hands.current && (phaseRef.current === 'hearing' || phaseRef.current === 'thinking')) setPhase(restPhase());
      },
    };
    const opened: VoiceTransport =
      voice === 'http'
        ? new HttpVoice({ token, apiBase, conversationId: id, handlers })
        : new VoiceSocket(token, id, handlers);
    socket.current = opened;
    await id;
  }

  function onEvent(message: VoiceEvent) {
    switch (message.type) {
      case 'audio':
        if (!muted.current) playerOf().play(message.data);
        break;
      case 'limit':
        setProblem(
          `Only the first ${message.seconds} s were sent: one spoken turn is at most ${message.seconds} s here.`,
        );
        if (!hands.current) release();
        break;
      case 'speech-started':
        serverHeard.current = true;
        awaitingReply.current = true;
        if (hands.current) setPhase('hearing');
        break;
      case 'speech-ended':
        if (hands.current) setPhase('thinking');
        break;
      case 'transcript':
        muted.current = false;
        awaitingReply.current = false;
        replyDone.current = false;
        heard.current = message.text;
        replyText.current = '';
        setTranscript(heard.current);
        setReply('');
        setPhase('thinking');
        break;
      case 'reply-delta':
        if (muted.current) break;
        replyText.current += message.text;
        setReply(replyText.current);
        break;
      case 'audio-start':
        if (muted.current) break;
        playerOf().rate = message.sampleRate;
        setPhase('speaking');
        break;
      case 'turn': {
        const turn = message.turn;
        onTurn(turn.heard ?? heard.current, turn.text ?? replyText.current, turn.interrupted === true);
        replyDone.current = true;
        if (!hands.current) {
          closeSocket();
          if (!player.current?.playing) setPhase('idle');
        } else {
          // Between turns the socket is closed (the server would time it out); the next utterance opens another.
          if (!hands.current.gate.speaking && !awaitingReply.current) closeSocket();
          if (!player.current?.playing) setPhase(awaitingReply.current ? 'thinking' : restPhase());
        }
        break;
      }
      case 'error': {
        const { code, detail } = message.problem;
        closeSocket();
        // Hands-free: the socket timed out between utterances, or (over HTTP) the gate let through a noise.
        if (hands.current && (code === 'VOICE_IDLE_TIMEOUT' || code === 'AUDIO_SILENT' || code === 'AUDIO_EMPTY')) {
          setPhase(restPhase());
          break;
        }
        if (code === 'UNAUTHENTICATED') onUnauthenticated?.();
        setProblem(
          code === 'CAPABILITY_MISSING'
            ? `${detail} Speech recognition is not available on this server's profile; type your question instead.`
            : detail,
        );
        if (!hands.current || code === 'CAPABILITY_MISSING') {
          stopHandsFree();
          stopMic();
        }
        setPhase(restPhase());
        break;
      }
    }
  }

  /** Stops the reply where it is: over the socket, the server stores the part that was heard, marked interrupted. */
  function bargeIn() {
    player.current?.stop();
    if (!socket.current) return;
    socket.current.cancel();
    muted.current = true;
  }

  async function press() {
    if (held.current || hands.current) return;
    held.current = true;
    setProblem(null);
    // The exchange may be over (its transport closed) while the last of the reply still plays.
    if (phaseRef.current === 'speaking' || phaseRef.current === 'thinking' || player.current?.playing) {
      bargeIn();
      closeSocket();
    }
    try {
      mic.current = await openMic((pcm, value) => {
        // Frames the worklet posted before the release arrive after it: they are not part of the utterance (over
        // HTTP a frame after `end` would start the next one and drop the pending reply).
        if (!held.current) return;
        setLevel(value);
        send(pcm);
      });
    } catch (error) {
      held.current = false;
      setProblem(error instanceof Error && error.name === 'WorkletError' ? error.message : microphoneProblem(error));
      return;
    }
    playerOf().resume();
    muted.current = false;
    heard.current = '';
    replyText.current = '';
    setTranscript('');
    setReply('');
    setPhase('listening');
    try {
      await connect();
    } catch (error) {
      held.current = false;
      stopMic();
      closeSocket();
      setPhase('idle');
      setProblem(`Talking is not available: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (!held.current) release();
  }

  function release() {
    held.current = false;
    if (!mic.current || hands.current) return;
    stopMic();
    socket.current?.end();
    setPhase('thinking');
  }

  /** One decision of the hands-free gate. */
  function onGate(event: GateEvent) {
    if (event.type === 'start') {
      setProblem(null);
      // While it only thinks, the server's own VAD interrupts the pending reply when this speech reaches it.
      if (phaseRef.current === 'speaking' || player.current?.playing) bargeIn();
      serverHeard.current = false;
      if (!socket.current) void connect().catch((error: unknown) => setProblem(String(error)));
      for (const frame of event.frames) send(frame);
      setPhase('hearing');
    } else if (event.type === 'frame') {
      send(event.frame);
    } else {
      // The server has usually ended the utterance already (its hangover is shorter); `end` is then a no-op.
      socket.current?.end();
      if (phaseRef.current === 'hearing') setPhase(serverHeard.current ? 'thinking' : 'listening');
    }
  }

  async function startHandsFree() {
    setProblem(null);
    const gate = new SpeechGate();
    const vad = new VoiceActivity((frame) => {
      // Between two sentences nothing plays for a moment: the reply is still being spoken.
      gate.assistantSpeaking = phaseRef.current === 'speaking' || player.current?.playing === true;
      const event = gate.push(frame);
      if (event) onGate(event);
    }, setDetector);
    const mine = { gate, vad };
    hands.current = mine;
    let opened: Mic;
    try {
      opened = await openMic((pcm, value) => {
        setLevel(value);
        vad.push(pcm, value);
      });
    } catch (error) {
      if (hands.current !== mine) return;
      stopHandsFree();
      setHandsFree(false);
      localStorage.setItem(HANDS_FREE_KEY, '0');
      setProblem(error instanceof Error && error.name === 'WorkletError' ? error.message : microphoneProblem(error));
      return;
    }
    if (hands.current !== mine) {
      // Switched off (or restarted) while the microphone was opening.
      vad.close();
      opened.node.disconnect();
      opened.stream.getTracks().forEach((track) => track.stop());
      void opened.context.close();
      return;
    }
    mic.current = opened;
    playerOf().resume();
    const context = opened.context;
    if (context.state !== 'running') {
      // Reopened at page load without a gesture: audio starts on the first click or key press.
      const resume = () => (void context.resume(), playerOf().resume());
      addEventListener('pointerdown', resume, { once: true });
      addEventListener('keydown', resume, { once: true });
    }
    if (phaseRef.current === 'idle') setPhase('listening');
  }

  function stopHandsFree() {
    const current = hands.current;
    if (!current) return;
    hands.current = null;
    current.vad.close();
    if (current.gate.speaking) socket.current?.end();
    stopMic();
    if (phaseRef.current === 'listening' || phaseRef.current === 'hearing') setPhase('idle');
  }

  function toggleHandsFree() {
    const on = !handsFree;
    setHandsFree(on);
    localStorage.setItem(HANDS_FREE_KEY, on ? '1' : '0');
    if (on) void startHandsFree();
    else stopHandsFree();
  }

  useEffect(() => {
    const editable = (target: EventTarget | null) =>
      target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName));
    const down = (event: KeyboardEvent) => {
      if (event.code !== 'Space' || event.repeat || editable(event.target) || hands.current) return;
      event.preventDefault();
      void press();
    };
    const up = (event: KeyboardEvent) => {
      if (event.code !== 'Space' || editable(event.target) || hands.current) return;
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
  useEffect(() => {
    // Hands-free was left on: open the mic again (the browser remembers the permission it granted).
    if (handsFree) void startHandsFree();
    return () => {
      stopHandsFree();
      closeSocket();
      stopMic();
      player.current?.close();
      player.current = null;
    };
    // Mount and unmount only.
  }, []);

  return (
    <TalkView
      phase={phase}
      handsFree={handsFree}
      voice={voice}
      level={level}
      detector={detector}
      transcript={transcript}
      reply={reply}
      problem={problem}
      onPress={() => void press()}
      onRelease={release}
      onLeave={() => held.current && release()}
      onToggleHandsFree={toggleHandsFree}
    />
  );
}
