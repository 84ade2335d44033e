import type { IncomingHttpHeaders } from 'node:http';
import { startFakeAwsH2Server } from './fake-aws-h2-server.js';
import type { FakeReply } from './fake-aws-server.js';

/** The JSON body of a SynthesizeSpeech request, as the SDK serialised it. */
export interface SynthesizeSpeechWire {
  Engine?: string;
  OutputFormat?: string;
  SampleRate?: string;
  Text?: string;
  TextType?: string;
  VoiceId?: string;
  LanguageCode?: string;
}

export interface PollyCall {
  headers: IncomingHttpHeaders;
  body: SynthesizeSpeechWire;
  /** The text Polly would speak: the SSML's content with its entities decoded. */
  spoken: string;
  /** Characters Polly bills for: the spoken text, tags excluded. */
  billed: number;
}

export interface PollyFake {
  url: string;
  calls: PollyCall[];
  /** Answers the next call with this modeled error. */
  failNext(status: number, errorType: string, message?: string): void;
  /** Holds the next call unanswered: `received` settles when it arrives, `release` lets it finish. */
  hold(): { received: Promise<void>; release(): void };
  close(): Promise<void>;
}

/** A slice of Polly's voice list: which engines each voice supports. */
const VOICES: Record<string, readonly string[]> = {
  Joanna: ['standard', 'neural', 'long-form', 'generative'],
  Matthew: ['standard', 'neural', 'generative'],
  Ruth: ['neural', 'long-form', 'generative'],
  Ivy: ['standard', 'neural'],
  Brian: ['standard', 'neural'],
};
const RATES: Record<string, readonly string[]> = {
  mp3: ['8000', '16000', '22050', '24000', '44100', '48000'],
  ogg_vorbis: ['8000', '16000', '22050', '24000', '44100', '48000'],
  pcm: ['8000', '16000'],
};
const CONTENT_TYPES: Record<string, string> = { mp3: 'audio/mpeg', ogg_vorbis: 'audio/ogg', pcm: 'audio/pcm' };
/** Spoken length per character: about 13 characters a second, a brisk reading pace. */
const SECONDS_PER_CHARACTER = 0.075;
/** An MPEG-2 Layer III frame header (64 kbit/s, 24 kHz, mono): 576 samples, 192 bytes a frame. */
const MP3_FRAME_HEADER = [0xff, 0xf3, 0x84, 0xc4];
const MP3_FRAME_BYTES = 192;
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };

/**
 * A loopback Polly serving SynthesizeSpeech (REST-JSON, `POST /v1/speech`) over HTTP/2 like the real endpoint. It
 * checks what Polly checks (known voice for the engine, a sample rate the format allows, well-formed SSML with escaped
 * text, at most 3,000 billed and 6,000 total characters) and answers audio whose length grows with the spoken text:
 * a tone as PCM, MPEG frames as mp3, an Ogg page marker as Ogg.
 */
export async function startPollyFake(): Promise<PollyFake> {
  const calls: PollyCall[] = [];
  let failure: FakeReply | undefined;
  let held: { arrived: () => void; released: Promise<void> } | undefined;

  const server = await startFakeAwsH2Server({
    'POST /v1/speech': async (request) => {
      const body = request.json() as SynthesizeSpeechWire;
      const text = body.Text ?? '';
      const spoken = body.TextType === 'ssml' ? spokenText(text) : text;
      calls.push({ headers: request.headers, body, spoken: spoken ?? '', billed: spoken?.length ?? 0 });
      if (held) {
        const { arrived, released } = held;
        held = undefined;
        arrived();
        await released;
      }
      if (failure) {
        const reply = failure;
        failure = undefined;
        return reply;
      }
      const engines = VOICES[body.VoiceId ?? ''];
      if (!engines) return error(400, 'ValidationException', `unknown voice ${body.VoiceId}`);
      if (!engines.includes(body.Engine ?? 'standard'))
        return error(400, 'EngineNotSupportedException', `${body.VoiceId} has no ${body.Engine} engine`);
      const format = body.OutputFormat ?? '';
      if (!RATES[format]) return error(400, 'ValidationException', `unsupported OutputFormat ${format}`);
      if (body.SampleRate !== undefined && !RATES[format]?.includes(body.SampleRate))
        return error(400, 'InvalidSampleRateException', `${format} has no rate ${body.SampleRate}`);
      if (spoken === undefined) return error(400, 'InvalidSsmlException', 'the SSML is not well-formed');
      if (spoken.length > 3000 || text.length > 6000)
        return error(400, 'TextLengthExceededException', `${spoken.length} billed, ${text.length} total characters`);
      const seconds = spoken.length * SECONDS_PER_CHARACTER;
      const rate = Number(body.SampleRate ?? (format === 'pcm' ? 16_000 : 24_000));
      return {
        body: audio(format, seconds, rate),
        headers: { 'content-type': CONTENT_TYPES[format] as string, 'x-amzn-requestcharacters': String(spoken.length) },
      };
    },
  });
  return {
    url: server.url,
    calls,
    failNext: (status, errorType, message = `${errorType} from the fake`) => {
      failure = error(status, errorType, message);
    },
    hold: () => {
      let release!: () => void;
      let arrived!: () => void;
      const received = new Promise<void>((resolve) => (arrived = resolve));
      held = { arrived, released: new Promise<void>((resolve) => (release = resolve)) };
      return { received, release };
    },
    close: () => server.close(),
  };
}

/** The text inside `<speak>`, entities decoded; undefined for SSML Polly would refuse (stray markup, bare `&`). */
function spokenText(ssml: string): string | undefined {
  const match = /^<speak>([^]*)<\/speak>$/.exec(ssml);
  const inner = match?.[1];
  if (inner === undefined || /[<>]/.test(inner)) return undefined;
  if (/&(?!(?:amp|lt|gt|quot|apos);)/.test(inner)) return undefined;
  return inner.replace(/&(?:amp|lt|gt|quot|apos);/g, (entity) => ENTITIES[entity] as string);
}

function audio(format: string, seconds: number, rate: number): Buffer {
  if (format === 'pcm') {
    const samples = Math.round(seconds * rate);
    const pcm = Buffer.alloc(samples * 2);
    for (let i = 0; i < samples; i += 1)
      pcm.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * 220 * i) / rate)), i * 2);
    return pcm;
  }
  const frames = Math.max(1, Math.round((seconds * 24_000) / 576));
  const stream = Buffer.alloc(frames * MP3_FRAME_BYTES);
  if (format === 'mp3') for (let f = 0; f < frames; f += 1) stream.set(MP3_FRAME_HEADER, f * MP3_FRAME_BYTES);
  else stream.write('OggS', 0, 'latin1');
  return stream;
}

function error(status: number, errorType: string, message: string): FakeReply {
  return { status, errorType, message };
}
