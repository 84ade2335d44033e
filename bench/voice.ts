import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { EspeakSpeechSynthesizer } from '../adapters/local/espeak-speech-synthesizer.js';
import { encodeWav, parseWav } from '../adapters/shared/wav.js';
import type { Completion, CompletionChunk } from '../core/model/completion.js';
import type { CompletionRequest, LanguageModel } from '../core/ports/language-model.js';
import type { SpeechRecognizer, Transcript } from '../core/ports/speech-recognizer.js';
import { SentenceSplitter } from '../core/voice/sentence-splitter.js';
import { loadConfig } from '../entrypoints/composition/config.js';
import { createContainer, resolveAssistant } from '../entrypoints/composition/container.js';
import { createLogger } from '../entrypoints/composition/logger.js';
import { buildApp } from '../entrypoints/http/app.js';
import { appOptionsFor } from '../entrypoints/http/app-options.js';

/**
 * Voice latency with the local adapters (nlp.js, eSpeak, WebRTC VAD, memory store), medians of BENCH_VOICE_RUNS
 * (default 20):
 * (f) time to first audio in process: a turn's text in → the first sentence of a 15-word streamed reply synthesised;
 * (g) voice-to-voice over the WebSocket: a client streams a spoken utterance (eSpeak, 16 kHz PCM frames) through the
 *     real socket, VAD and endpointer; the figure is the server's end-of-speech decision → first reply audio byte
 *     written to the socket (the `turn` message's timeToFirstAudio), with the other stage times of the same turns.
 *     Client and server share this process, so a client-side clock would only measure when the shared event loop got
 *     to it; loopback adds well under a millisecond. Frames go faster than real time: the endpointer counts frames.
 * The reply comes from a stand-in model that streams 15 fixed words at once (no local model weights exist here), and
 * recognition from a stand-in that returns the spoken text at once: the real recognizer (PocketSphinx, another
 * branch) adds its own decoding time, shown as "recognition" once it is bound.
 */
const RUNS = Number(process.env.BENCH_VOICE_RUNS ?? 20);
const REPLY = 'Sure. The weather in Paris is mild today, with light wind and a little sun.';
const HEARD = 'what do you think about the ocean';
const TARGETS = { timeToFirstAudio: 50, voiceToVoice: 100 };

class FifteenWordModel implements LanguageModel {
  readonly capabilities = { streaming: true, answersOpenQuestions: true };
  async complete(_request: CompletionRequest): Promise<Completion> {
    return { text: REPLY, model: 'bench', finishReason: 'stop' };
  }
  async *stream(_request: CompletionRequest): AsyncIterable<CompletionChunk> {
    for (const word of REPLY.split(/(?<= )/)) yield { type: 'text', text: word };
    yield { type: 'finish', finishReason: 'stop' };
  }
}

class KnownTextRecognizer implements SpeechRecognizer {
  readonly capabilities = { formats: ['wav'] as const, streaming: false };
  async transcribe(): Promise<Transcript> {
    return { text: HEARD, confidence: 1 };
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (ms: number | undefined) =>
  ms === undefined || Number.isNaN(ms) ? '   n/a' : `${ms.toFixed(1)} ms`.padStart(9);

export async function runVoiceBench(): Promise<void> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    CONVERSATION_STORE: 'memory',
    TTS: 'espeak',
    STT: 'none',
    DATA_DIR: '.data/bench',
    AUTH_SECRET: 'bench-secret-that-is-long-enough-0123456789abcdef',
  });
  const synthesizer = new EspeakSpeechSynthesizer();
  const container = await createContainer(config, {
    logger: createLogger('silent'),
    overrides: {
      languageModel: new FifteenWordModel(),
      speechRecognizer: new KnownTextRecognizer(),
      speechSynthesizer: synthesizer,
    },
  });
  const assistant = await resolveAssistant(container);
  const options = appOptionsFor(assistant);
  // Audio is sent as fast as the socket takes it: paced to playback, every turn would last as long as its reply.
  const voice = options.voice && { ...options.voice, limits: { playbackLeadMs: Number.POSITIVE_INFINITY } };
  const app = await buildApp({ ...options, ...(voice && { voice }), logger: false, rateLimit: false });
  try {
    // (f) in process
    const ttfa: number[] = [];
    const conversation = await assistant.conversations.create('bench');
    for (let i = 0; i < RUNS + 2; i += 1) {
      const t0 = performance.now();
      const splitter = new SentenceSplitter();
      let first: Promise<number> | undefined;
      await assistant.handleTurn({
        userId: 'bench',
        conversationId: conversation.id,
        input: { kind: 'text', text: HEARD },
        stream: {
          delta: (text) => {
            const [sentence] = splitter.push(text);
            if (sentence && !first) {
              first = synthesizer
                .synthesize({ text: sentence.trim(), language: 'en', format: 'pcm' })
                .then(() => performance.now() - t0);
            }
          },
        },
      });
      const ms = await (first ?? Promise.resolve(Number.NaN));
      if (i >= 2) ttfa.push(ms); // the first two warm eSpeak and the JIT
    }

    // (g) over the WebSocket
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    if (!assistant.minter) throw new Error('bench: the local profile should mint its own tokens');
    const token = await assistant.minter.mint({ userId: 'bench', ttlSeconds: 600 });
    const frames = await utteranceFrames(synthesizer);
    const v2v: number[] = [];
    const stages: Record<string, number[]> = {};
    const voiceConversation = await assistant.conversations.create('bench');
    for (let i = 0; i < RUNS + 2; i += 1) {
      const { timings } = await oneVoiceTurn(port, token, voiceConversation.id, frames);
      if (i < 2) continue;
      v2v.push(Number(timings['timeToFirstAudio']));
      for (const [name, value] of Object.entries(timings))
        if (typeof value === 'number') (stages[name] ??= []).push(value);
    }

    const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    const lines = [
      `voice (local adapters: nlp.js, eSpeak, WebRTC VAD; stand-in model streaming 15 words, stand-in recognizer), medians of ${RUNS}`,
      `(f) time to first audio, 15-word reply, in process   ${fmt(median(ttfa))}   target <= ${TARGETS.timeToFirstAudio} ms ${verdict(median(ttfa) <= TARGETS.timeToFirstAudio)}`,
      `(g) voice-to-voice over WebSocket (end of speech -> first reply audio byte)   ${fmt(median(v2v))}   target <= ${TARGETS.voiceToVoice} ms ${verdict(median(v2v) <= TARGETS.voiceToVoice)}`,
      `    server stages, same turns: ${Object.entries(stages)
        .map(([name, values]) => `${name} ${fmt(median(values)).trim()}`)
        .join(', ')}`,
      `    (the endpointer's ${stages['hangover']?.[0] ?? 500} ms of silence before end of speech is not included)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await app.close();
    await assistant.close();
  }
}

/** A spoken utterance at 16 kHz with 300 ms of silence before it and 1.2 s after it (more than the hangover). */
async function utteranceFrames(synthesizer: EspeakSpeechSynthesizer): Promise<Buffer[]> {
  const spoken = parseWav((await synthesizer.synthesize({ text: HEARD, language: 'en', format: 'wav' })).data);
  const ratio = spoken.sampleRate / 16_000;
  const resampled = new Int16Array(Math.floor(spoken.samples.length / ratio));
  for (let i = 0; i < resampled.length; i += 1) resampled[i] = spoken.samples[Math.floor(i * ratio)] ?? 0;
  const pcm = Buffer.from(encodeWav(resampled, 16_000).subarray(44));
  const audio = Buffer.concat([Buffer.alloc(9600), pcm, Buffer.alloc(640 * 60)]);
  const frames: Buffer[] = [];
  for (let at = 0; at + 640 <= audio.length; at += 640) frames.push(audio.subarray(at, at + 640));
  return frames;
}

async function oneVoiceTurn(
  port: number,
  token: string,
  conversationId: string,
  frames: Buffer[],
): Promise<{ timings: Record<string, unknown> }> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/v1/voice`, ['voice.v1', `bearer.${token}`]);
  try {
    return await new Promise((resolve, reject) => {
      socket.on('error', reject);
      socket.on('message', (data: Buffer, isBinary) => {
        if (isBinary) return;
        const message = JSON.parse(data.toString()) as { type: string; timings?: Record<string, unknown> };
        if (message.type === 'ready') socket.send(JSON.stringify({ type: 'start', conversationId }));
        if (message.type === 'started') for (const frame of frames) socket.send(frame);
        if (message.type === 'error') reject(new Error(data.toString()));
        if (message.type === 'turn') resolve({ timings: message.timings ?? {} });
      });
    });
  } finally {
    socket.close();
  }
}
