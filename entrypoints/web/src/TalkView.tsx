import { MAX_UTTERANCE_SECONDS } from './http-voice';
import type { VoiceMode } from './voice-transport';

/** listening: the mic is open (button held, or hands-free waiting); hearing: hands-free caught speech. */
export type Phase = 'idle' | 'listening' | 'hearing' | 'thinking' | 'speaking';

/** What the status line says in hands-free mode. */
const HANDS_FREE_STATUS: Record<Phase, string> = {
  idle: 'Opening the microphone…',
  listening: 'Listening: just speak',
  hearing: 'Hearing you…',
  thinking: 'Thinking…',
  speaking: 'Speaking (talk to interrupt)',
};

export interface TalkViewProps {
  phase: Phase;
  handsFree: boolean;
  voice: VoiceMode;
  /** The microphone's level, 0 to 1. */
  level: number;
  /** Which detector gates hands-free speech, once known. */
  detector: 'webrtc' | 'energy' | null;
  transcript: string;
  reply: string;
  problem: string | null;
  /** The talk button (or Space/Enter on it) went down. */
  onPress: () => void;
  /** It came up. */
  onRelease: () => void;
  /** The pointer left the button. */
  onLeave: () => void;
  onToggleHandsFree: () => void;
}

/** What the talk panel shows: the push-to-talk button, the hands-free switch, the level meter and the exchange. */
export function TalkView({
  phase,
  handsFree,
  voice,
  level,
  detector,
  transcript,
  reply,
  problem,
  onPress,
  onRelease,
  onLeave,
  onToggleHandsFree,
}: TalkViewProps) {
  const label =
    phase === 'listening' && !handsFree
      ? 'Listening… release to send'
      : phase === 'speaking' && !handsFree
        ? 'Interrupt and talk'
        : 'Hold to talk';
  const status = handsFree ? HANDS_FREE_STATUS[phase] : '';
  const percent = Math.round(Math.min(1, level * 4) * 100);
  return (
    <div className="talk" data-phase={phase} data-detector={detector ?? undefined}>
      <button
        type="button"
        aria-pressed={phase === 'listening' && !handsFree}
        aria-describedby="talk-help"
        disabled={handsFree}
        onPointerDown={onPress}
        onPointerUp={onRelease}
        onPointerLeave={onLeave}
        onKeyDown={(event) => {
          if ((event.key === ' ' || event.key === 'Enter') && !event.repeat) {
            event.preventDefault();
            onPress();
          }
        }}
        onKeyUp={(event) => {
          if (event.key === ' ' || event.key === 'Enter') onRelease();
        }}
      >
        {label}
      </button>
      <label className="hands-free">
        <input
          type="checkbox"
          role="switch"
          checked={handsFree}
          aria-describedby="talk-help"
          onChange={onToggleHandsFree}
        />
        Hands-free
      </label>
      <div
        className="meter"
        role="meter"
        aria-label="Microphone level"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div ref={(el) => el?.style.setProperty('width', `${percent}%`)} />
      </div>
      <p role="status" className="voice-status" data-testid="voice-status">
        {status}
      </p>
      <p id="talk-help" className="hint">
        {handsFree
          ? 'Hands-free: the microphone stays on; just speak, and speak again to interrupt a reply.'
          : 'Hold the button or the space bar while you speak, or switch on hands-free.'}
        {voice === 'http' && ` Each utterance is sent when you finish, up to ${MAX_UTTERANCE_SECONDS} s.`}
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
