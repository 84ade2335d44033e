import { describe, expect, it } from 'vitest';
import { SpeechGate, type GateEvent, type GateFrame } from '../src/hands-free/speech-gate';

/** Synthetic 20 ms frames: each carries its index in its PCM so the test can tell which ones were sent. */
let counter = 0;
function frame(level: number, voiced?: boolean): GateFrame {
  const pcm = new Int16Array(320);
  pcm[0] = counter++;
  return { pcm: pcm.buffer, level, ...(voiced !== undefined && { voiced }) };
}
const silence = (n: number, level = 0.001) => Array.from({ length: n }, () => frame(level, false));
const speech = (n: number, level = 0.1) => Array.from({ length: n }, () => frame(level, true));
const idOf = (pcm: ArrayBuffer) => new Int16Array(pcm)[0];

function feed(gate: SpeechGate, frames: GateFrame[]): GateEvent[] {
  return frames.map((f) => gate.push(f)).filter((e): e is GateEvent => e !== undefined);
}

describe('SpeechGate (hands-free voice detection)', () => {
  it('stays closed in silence and learns the noise floor', () => {
    const gate = new SpeechGate();
    expect(feed(gate, silence(100, 0.004))).toEqual([]);
    expect(gate.speaking).toBe(false);
    expect(gate.noiseFloor).toBeCloseTo(0.004, 4);
  });

  it('opens after 100 ms of speech with 300 ms of pre-roll, sends the speech, and ends after the hangover', () => {
    const gate = new SpeechGate();
    const before = silence(50);
    const spoken = speech(40);
    const after = silence(60);
    const events = feed(gate, [...before, ...spoken, ...after]);
    const start = events[0];
    if (start?.type !== 'start') throw new Error(`expected start, got ${JSON.stringify(start)}`);
    // 15 frames of pre-roll (300 ms) and the 5 speech frames that made the decision.
    expect(start.frames.map(idOf)).toEqual([...before.slice(-15), ...spoken.slice(0, 5)].map((f) => idOf(f.pcm)));
    const sent = events.filter((e) => e.type === 'frame');
    // The rest of the speech, then the 700 ms hangover (35 frames) minus the frame that ended it.
    expect(sent).toHaveLength(35 + 34);
    expect(events.at(-1)).toEqual({ type: 'end' });
    expect(events.filter((e) => e.type === 'end')).toHaveLength(1);
    expect(gate.speaking).toBe(false);
  });

  it('keeps a turn open through pauses shorter than the hangover', () => {
    const gate = new SpeechGate();
    const events = feed(gate, [...silence(20), ...speech(20), ...silence(30), ...speech(20), ...silence(40)]);
    expect(events.filter((e) => e.type === 'start')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'end')).toHaveLength(1);
  });

  it('ignores noise bursts shorter than the start run, and loud frames the VAD calls unvoiced', () => {
    const gate = new SpeechGate();
    const clicks = [...silence(20), ...speech(3, 0.5), ...silence(10), ...speech(4, 0.3), ...silence(10)];
    expect(feed(gate, clicks)).toEqual([]);
    // A loud steady noise (a fan switched on) that the WebRTC VAD rejects: never speech, and the floor follows it.
    expect(
      feed(
        gate,
        Array.from({ length: 400 }, () => frame(0.05, false)),
      ),
    ).toEqual([]);
    expect(gate.noiseFloor).toBeGreaterThan(0.04);
    // Speech at the fan's level is now too quiet to open the gate; louder speech opens it.
    expect(feed(gate, speech(10, 0.06))).toEqual([]);
    expect(feed(gate, speech(10, 0.3))[0]?.type).toBe('start');
  });

  it('without a VAD the level decides, with hysteresis: softer word endings keep the gate open', () => {
    const gate = new SpeechGate();
    const energy = (n: number, level: number) => Array.from({ length: n }, () => frame(level));
    feed(gate, energy(30, 0.01));
    const events = feed(gate, [...energy(10, 0.04), ...energy(20, 0.025), ...energy(40, 0.01)]);
    expect(events[0]?.type).toBe('start');
    // 0.025 is 2.5× the floor: below the start ratio (3×), above the continue ratio (2×): the gate stayed open.
    const end = events.findIndex((e) => e.type === 'end');
    expect(end).toBe(events.length - 1);
    expect(events.filter((e) => e.type === 'frame').length).toBeGreaterThanOrEqual(5 + 20 + 34);
  });

  it('needs a longer and louder run to barge in while the assistant speaks (its own voice must not)', () => {
    const gate = new SpeechGate();
    feed(gate, silence(30, 0.002));
    gate.assistantSpeaking = true;
    // Echo of the reply: voiced, a little above the floor, and in short runs: not enough.
    expect(feed(gate, [...speech(10, 0.008), ...silence(5, 0.002), ...speech(12, 0.1), ...silence(5, 0.002)])).toEqual(
      [],
    );
    const events = feed(gate, speech(20, 0.1));
    expect(events[0]).toMatchObject({ type: 'start' });
    // 300 ms run (15 frames) plus 300 ms of pre-roll.
    expect(events[0]?.type === 'start' && events[0].frames).toHaveLength(30);
  });

  it('forgets an utterance in progress on reset', () => {
    const gate = new SpeechGate();
    feed(gate, [...silence(10), ...speech(10)]);
    expect(gate.speaking).toBe(true);
    gate.reset();
    expect(gate.speaking).toBe(false);
    expect(feed(gate, silence(50))).toEqual([]);
  });
});
