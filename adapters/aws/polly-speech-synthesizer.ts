import {
  PollyClient,
  SynthesizeSpeechCommand,
  type OutputFormat,
  type PollyClientConfig,
  type VoiceId,
} from '@aws-sdk/client-polly';
import { SpeechUnavailableError, ValidationError } from '../../core/errors.js';
import type { Audio, AudioFormat } from '../../core/model/audio.js';
import type {
  SpeechSynthesizer,
  SpeechSynthesizerCapabilities,
  SynthesizeRequest,
} from '../../core/ports/speech-synthesizer.js';
import { rejectIfAborted, startServiceCall, type ServiceErrorPolicy } from '../shared/service-errors.js';
import { wavFromPcm } from '../shared/wav.js';
import { ssmlRequests } from './polly-ssml.js';

const ADAPTER = 'polly';

export type PollyEngine = 'neural' | 'standard' | 'generative' | 'long-form';

interface PollySpeechSynthesizerSettings {
  /** Default `neural`; the voices must support it. */
  engine?: PollyEngine;
  /** Default `Joanna` (US English, every engine). */
  defaultVoice?: string;
  /** The voices requests may name; default just the default voice. */
  voices?: readonly string[];
  /** Sample rate of `pcm` and `wav` output: 8000 or 16000, the rates Polly's PCM comes in; default 16000. */
  sampleRate?: 8000 | 16000;
  /** Longest wait for each SynthesizeSpeech answer; default 15 s. */
  timeoutMs?: number;
}

/** The one method this adapter calls, so tests and callers can hand in any client that has it. */
type PollyApi = Pick<PollyClient, 'send'>;

export type PollySpeechSynthesizerOptions = PollySpeechSynthesizerSettings &
  ({ client: PollyApi; clientConfig?: never } | { client?: never; clientConfig?: PollyClientConfig });

const POLLY_ERRORS: ServiceErrorPolicy = {
  adapter: ADAPTER,
  unavailable: new Set(['ThrottlingException', 'ServiceFailureException', 'ServiceQuotaExceededException']),
  invalid: new Set([
    'TextLengthExceededException',
    'InvalidSsmlException',
    'LexiconNotFoundException',
    'InvalidSampleRateException',
    'LanguageNotSupportedException',
    'EngineNotSupportedException',
    'MarksNotSupportedForFormatException',
    'SsmlMarksNotSupportedForTextTypeException',
    'ValidationException',
  ]),
  hints: {
    AccessDeniedException: 'access denied; check polly:SynthesizeSpeech',
    UnrecognizedClientException: 'the credentials are not valid',
  },
  unavailableError: (detail, options) => new SpeechUnavailableError(`${ADAPTER}: ${detail}`, options),
};

const WIRE_FORMATS: Record<AudioFormat, OutputFormat> = { mp3: 'mp3', ogg: 'ogg_vorbis', pcm: 'pcm', wav: 'pcm' };

/**
 * Text-to-speech with Amazon Polly's SynthesizeSpeech: mp3, Ogg Vorbis, raw PCM, or PCM in a WAV header. A Polly voice
 * speaks its own language, so the request's language is honoured through the voice: configure voices for the
 * languages served, and the core passes the user's preferred one.
 */
export class PollySpeechSynthesizer implements SpeechSynthesizer {
  readonly capabilities: SpeechSynthesizerCapabilities;
  private readonly client: PollyApi;
  private readonly engine: PollyEngine;
  private readonly pcmRate: number;
  private readonly timeoutMs: number;

  constructor(options: PollySpeechSynthesizerOptions = {}) {
    this.client = options.client ?? new PollyClient(options.clientConfig ?? {});
    this.engine = options.engine ?? 'neural';
    this.pcmRate = options.sampleRate ?? 16_000;
    if (this.pcmRate !== 8000 && this.pcmRate !== 16_000)
      throw new ValidationError(`${ADAPTER}: PCM comes at 8000 or 16000 Hz, not ${this.pcmRate}`);
    this.timeoutMs = options.timeoutMs ?? 15_000;
    const defaultVoice = options.defaultVoice ?? 'Joanna';
    const voices = [...new Set([defaultVoice, ...(options.voices ?? [])])];
    this.capabilities = { formats: ['mp3', 'ogg', 'pcm', 'wav'], voices, defaultVoice };
  }

  async synthesize(request: SynthesizeRequest): Promise<Audio> {
    rejectIfAborted(ADAPTER, request.signal);
    if (request.text.trim().length === 0) throw new ValidationError(`${ADAPTER}: there is no text to speak`);
    const format = request.format ?? 'mp3';
    if (!Object.hasOwn(WIRE_FORMATS, format))
      throw new ValidationError(`${ADAPTER}: format "${format}" is not supported`);
    const voice = request.voice ?? this.capabilities.defaultVoice;
    if (!this.capabilities.voices.includes(voice))
      throw new ValidationError(`${ADAPTER}: voice "${voice}" is not one of ${this.capabilities.voices.join(', ')}`);
    const documents = ssmlRequests(request.text);
    if (format === 'ogg' && documents.length > 1) {
      // Each response is a whole Ogg stream with its own serial number and headers; chained streams are valid Ogg, but
      // many players stop at the end of the first, so long text is refused rather than played in part.
      throw new ValidationError(
        `${ADAPTER}: text too long for one Ogg request (${documents.length} needed); ask for mp3, pcm or wav`,
      );
    }
    const sampleRate = format === 'pcm' || format === 'wav' ? this.pcmRate : this.compressedRate();
    const parts: Uint8Array[] = [];
    // One request after another: the parts must stay in order, and parallel bursts only meet Polly's throttling sooner.
    for (const ssml of documents)
      parts.push(await this.speak(ssml, voice, WIRE_FORMATS[format], sampleRate, request.signal));
    // PCM samples, and MP3 frames, play back to back when their bytes are joined; the WAV header goes around the whole.
    const joined = concat(parts);
    return { data: format === 'wav' ? wavFromPcm(joined, sampleRate) : joined, format, sampleRate };
  }

  private async speak(
    ssml: string,
    voice: string,
    outputFormat: OutputFormat,
    sampleRate: number,
    signal: AbortSignal | undefined,
  ): Promise<Uint8Array> {
    const call = startServiceCall(POLLY_ERRORS, signal, this.timeoutMs);
    try {
      const output = await this.client.send(
        new SynthesizeSpeechCommand({
          Engine: this.engine,
          OutputFormat: outputFormat,
          SampleRate: String(sampleRate),
          Text: ssml,
          TextType: 'ssml',
          VoiceId: voice as VoiceId,
        }),
        { abortSignal: call.signal },
      );
      if (!output.AudioStream) throw new SpeechUnavailableError(`${ADAPTER}: the answer carries no audio`);
      return await output.AudioStream.transformToByteArray();
    } catch (error) {
      throw call.fail(error);
    }
  }

  /** Polly's default rate for mp3 and Ogg, sent explicitly so the returned clip can state it. */
  private compressedRate(): number {
    return this.engine === 'standard' ? 22_050 : 24_000;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
