import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebRtcVoiceActivityDetector } from '../../adapters/local/webrtc-voice-activity-detector.js';
import { resample } from '../../adapters/shared/resample.js';
import { SpeechGate, type GateEvent } from '../../entrypoints/web/src/hands-free/speech-gate.js';
import { fliteSpeak } from '../support/flite.js';

/**
 * The web client's hands-free gate on real audio: the same WebRTC VAD the browser worker loads (libfvad, mode 2),
 * here in Node, fed 20 ms frames of a flite command in low white noise, as the PCM worklet would send them. Counts
 * frames, not time: where the gate opens and closes relative to the speech, and what it sends.
 */
const FRAME = 320;
const RATE = 16_000;

function noise(length: number, amplitude: number, seed = 1): Int16Array {
  let state = seed;
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    state = (state * 1_103_515_245 + 12_345) & 0x7fffffff;
    out[i] = Math.round(((state / 0x7fffffff) * 2 - 1) * amplitude);
  }
  return out;
}

function mix(into: Int16Array, add: Int16Array, at: number): void {
  for (let i = 0; i < add.length && at + i < into.length; i++) {
    into[at + i] = Math.max(-32768, Math.min(32767, (into[at + i] ?? 0) + (add[i] ?? 0)));
  }
}

function run(samples: Int16Array, vad: WebRtcVoiceActivityDetector) {
  const gate = new SpeechGate();
  const events: { frame: number; event: GateEvent }[] = [];
  const sent: number[] = [];
  for (let i = 0; (i + 1) * FRAME <= samples.length; i++) {
    const pcm = samples.slice(i * FRAME, (i + 1) * FRAME);
    let energy = 0;
    for (const s of pcm) energy += (s / 32768) ** 2;
    const buffer = pcm.buffer;
    const tagged = Object.assign(buffer, { index: i });
    const event = gate.push({ pcm: tagged, level: Math.sqrt(energy / FRAME), voiced: vad.isSpeech(pcm) });
    if (!event) continue;
    events.push({ frame: i, event });
    if (event.type === 'start') sent.push(...event.frames.map((f) => (f as typeof tagged).index));
    if (event.type === 'frame') sent.push((event.frame as typeof tagged).index);
  }
  return { events, sent };
}

describe('hands-free gate with the WebRTC VAD on synthetic speech', () => {
  let vad: WebRtcVoiceActivityDetector;
  beforeAll(async () => {
    vad = await WebRtcVoiceActivityDetector.create({ mode: 2 });
  });
  afterAll(() => vad.close());

  it('opens once near the start of a spoken command, sends it whole with pre-roll, closes after the hangover', async () => {
    const speech = await fliteSpeak('what is the weather in paris', 'slt');
    const voice = resample(speech.samples, speech.sampleRate, RATE);
    const lead = RATE; // 1 s of room noise first
    const samples = noise(lead + voice.length + 2 * RATE, 60); // about -55 dBFS of hiss throughout
    mix(samples, voice, lead);
    // Where the voice really starts and stops: the first and last frames with a sample above ~-30 dBFS.
    const loud = (i: number) => voice.slice(i * FRAME, (i + 1) * FRAME).some((s) => Math.abs(s) > 1000);
    const frames = Math.floor(voice.length / FRAME);
    const first = lead / FRAME + [...Array(frames).keys()].findIndex(loud);
    const last = lead / FRAME + frames - 1 - [...Array(frames).keys()].reverse().findIndex(loud);

    vad.reset();
    const { events, sent } = run(samples, vad);
    expect(events.filter((e) => e.event.type === 'start')).toHaveLength(1);
    expect(events.filter((e) => e.event.type === 'end')).toHaveLength(1);
    const start = events.find((e) => e.event.type === 'start')?.frame ?? -1;
    const end = events.find((e) => e.event.type === 'end')?.frame ?? -1;
    // Opened within 300 ms of the first loud frame, and what it sent begins at least 200 ms before that frame.
    expect(start).toBeGreaterThanOrEqual(first - 2);
    expect(start).toBeLessThanOrEqual(first + 15);
    expect(sent[0]).toBeLessThanOrEqual(first - 10);
    // Every frame of the command went out, in order, none twice; it closed about 700 ms (35 frames) after the voice:
    // counted from the last frame the gate took for speech, which may be a frame or two either side of the last loud
    // one (a faint consonant below the floor margin, or a fading tail the VAD still calls voiced).
    expect(sent).toEqual([...Array(sent.length).keys()].map((k) => (sent[0] ?? 0) + k));
    expect(sent.at(-1)).toBeGreaterThanOrEqual(last);
    expect(end).toBeGreaterThanOrEqual(last + 35 - 5);
    expect(end).toBeLessThanOrEqual(last + 35 + 15);
  });

  it('stays closed for short knocks and a steady hum', () => {
    const samples = noise(4 * RATE, 60, 7);
    for (const at of [0.8, 1.9, 3.1]) mix(samples, noise(0.06 * RATE, 12_000, 3), Math.round(at * RATE));
    const hum = new Int16Array(4 * RATE).map((_, i) => Math.round(800 * Math.sin((2 * Math.PI * 50 * i) / RATE)));
    vad.reset();
    expect(run(samples, vad).events).toEqual([]);
    vad.reset();
    expect(run(hum, vad).events).toEqual([]);
  });
});
