import {
  StartStreamTranscriptionCommand,
  TranscribeStreamingClient,
  type AudioStream,
  type LanguageCode,
  type Result,
  type TranscribeStreamingClientConfig,
} from '@aws-sdk/client-transcribe-streaming';
import { DependencyUnavailableError, ValidationError } from '../../core/errors.js';
import type {
  SpeechRecognizer,
  SpeechRecognizerCapabilities,
  Transcript,
  TranscribeRequest,
} from '../../core/ports/speech-recognizer.js';
import { rejectIfAborted, startServiceCall, type ServiceErrorPolicy } from '../shared/service-errors.js';
import { pcmOf } from '../shared/wav.js';

const ADAPTER = 'transcribe';

interface TranscribeSpeechRecognizerSettings {
  /** Audio per AudioEvent, in milliseconds; default 100 (Transcribe takes at most 1 s per event). */
  chunkMilliseconds?: number;
  /** Full language codes for bare language tags; default en -> en-US and one common region for a few others. */
  languageCodes?: Readonly<Record<string, string>>;
  /** Longest wait for the whole transcription, audio upload included; default 30 s. */
  timeoutMs?: number;
}

/** The one method this adapter calls, so tests and callers can hand in any client that has it. */
type TranscribeClient = Pick<TranscribeStreamingClient, 'send'>;

export type TranscribeSpeechRecognizerOptions = TranscribeSpeechRecognizerSettings &
  (
    | { client: TranscribeClient; clientConfig?: never }
    | { client?: never; clientConfig?: TranscribeStreamingClientConfig }
  );

const TRANSCRIBE_ERRORS: ServiceErrorPolicy = {
  adapter: ADAPTER,
  unavailable: new Set([
    'LimitExceededException',
    'ServiceUnavailableException',
    'InternalFailureException',
    'ConflictException',
  ]),
  invalid: new Set(['BadRequestException']),
  hints: {
    AccessDeniedException: 'access denied; check transcribe:StartStreamTranscription',
    UnrecognizedClientException: 'the credentials are not valid',
  },
  unavailableError: (detail, options) => new DependencyUnavailableError(ADAPTER, detail, options),
};

const DEFAULT_LANGUAGE_CODES: Readonly<Record<string, string>> = {
  en: 'en-US',
  es: 'es-US',
  fr: 'fr-FR',
  de: 'de-DE',
  it: 'it-IT',
  pt: 'pt-BR',
  ja: 'ja-JP',
  ko: 'ko-KR',
  zh: 'zh-CN',
};
/** MediaSampleRateHertz's range (API reference, StartStreamTranscription). */
const RATES = { min: 8000, max: 48_000 };
/**
 * Clips are sent as fast as the connection allows, not paced at speaking speed. AWS's streaming SDK asks for real-time
 * pacing only for recordings over five minutes (their event signatures would outlive the signing date), so longer
 * clips are refused instead of silently taking minutes.
 */
const MAX_SECONDS = 300;

/** Speech to text with Amazon Transcribe's streaming API, one clip per HTTP/2 stream of AudioEvents. */
export class TranscribeSpeechRecognizer implements SpeechRecognizer {
  readonly capabilities: SpeechRecognizerCapabilities = { formats: ['wav', 'pcm'], streaming: false };
  private readonly client: TranscribeClient;
  private readonly chunkMilliseconds: number;
  private readonly languageCodes: Readonly<Record<string, string>>;
  private readonly timeoutMs: number;

  constructor(options: TranscribeSpeechRecognizerOptions = {}) {
    this.client = options.client ?? new TranscribeStreamingClient(options.clientConfig ?? {});
    this.chunkMilliseconds = options.chunkMilliseconds ?? 100;
    if (!(this.chunkMilliseconds >= 10 && this.chunkMilliseconds <= 1000))
      throw new ValidationError(`${ADAPTER}: chunkMilliseconds must be 10..1000, not ${this.chunkMilliseconds}`);
    this.languageCodes = { ...DEFAULT_LANGUAGE_CODES, ...options.languageCodes };
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async transcribe(request: TranscribeRequest): Promise<Transcript> {
    rejectIfAborted(ADAPTER, request.signal);
    const { audio } = request;
    if (!this.capabilities.formats.includes(audio.format))
      throw new ValidationError(`${ADAPTER}: audio format "${audio.format}" is not supported; send wav or pcm`);
    const languageCode = this.languageCode(request.language);
    const { data, sampleRate } = pcmOf(audio, ADAPTER);
    if (data.length === 0) throw new ValidationError(`${ADAPTER}: there is no audio to transcribe`);
    if (!Number.isInteger(sampleRate) || sampleRate < RATES.min || sampleRate > RATES.max) {
      throw new ValidationError(`${ADAPTER}: sample rate ${sampleRate} Hz is outside ${RATES.min}..${RATES.max} Hz`);
    }
    if (data.length / 2 / sampleRate > MAX_SECONDS)
      throw new ValidationError(`${ADAPTER}: clips longer than ${MAX_SECONDS} s are not transcribed in one request`);
    const call = startServiceCall(TRANSCRIBE_ERRORS, request.signal, this.timeoutMs);
    try {
      const output = await this.client.send(
        new StartStreamTranscriptionCommand({
          LanguageCode: languageCode as LanguageCode,
          MediaEncoding: 'pcm',
          MediaSampleRateHertz: sampleRate,
          AudioStream: audioEvents(data, sampleRate, this.chunkMilliseconds, call.signal),
        }),
        { abortSignal: call.signal },
      );
      const finals: Result[] = [];
      for await (const event of output.TranscriptResultStream ?? []) {
        // Partial results are revised until a final one replaces them; only finals are the transcript.
        for (const result of event.TranscriptEvent?.Transcript?.Results ?? [])
          if (result.IsPartial === false) finals.push(result);
      }
      if (call.signal.aborted) throw call.signal.reason;
      return transcriptOf(finals);
    } catch (error) {
      throw call.fail(error);
    }
  }

  /** The full code Transcribe wants: `en-us` and `en_US` become `en-US`, a bare `en` takes its configured region. */
  private languageCode(tag: string): string {
    const [language = '', region] = tag.trim().split(/[-_]/);
    const code = region
      ? `${language.toLowerCase()}-${region.toUpperCase()}`
      : this.languageCodes[language.toLowerCase()];
    if (!code)
      throw new ValidationError(`${ADAPTER}: no language code configured for "${tag}"; pass a full code such as en-US`);
    return code;
  }
}

/**
 * The clip as AudioEvents of `chunkMilliseconds` each, produced on demand so the SDK signs and sends one event at a
 * time; stops early once `signal` fires.
 */
export async function* audioEvents(
  pcm: Uint8Array,
  sampleRate: number,
  chunkMilliseconds: number,
  signal?: AbortSignal,
): AsyncGenerator<AudioStream> {
  const chunkBytes = Math.max(2, Math.round((sampleRate * chunkMilliseconds) / 1000) * 2);
  for (let offset = 0; offset < pcm.length; offset += chunkBytes) {
    if (signal?.aborted) return;
    yield { AudioEvent: { AudioChunk: pcm.subarray(offset, offset + chunkBytes) } };
  }
}

/** Final results in order, joined; confidence is the mean of the words' confidences when Transcribe gives them. */
export function transcriptOf(finals: readonly Result[]): Transcript {
  const alternatives = finals
    .map((result) => result.Alternatives?.[0])
    .filter((alternative) => alternative !== undefined);
  const text = alternatives
    .map((alternative) => alternative.Transcript?.trim() ?? '')
    .filter(Boolean)
    .join(' ');
  const scores = alternatives.flatMap((alternative) =>
    (alternative.Items ?? []).map((item) => item.Confidence).filter((c): c is number => typeof c === 'number'),
  );
  return scores.length > 0 ? { text, confidence: scores.reduce((sum, c) => sum + c, 0) / scores.length } : { text };
}
