import {
  LexRuntimeV2Client,
  RecognizeUtteranceCommand,
  type LexRuntimeV2ClientConfig,
} from '@aws-sdk/client-lex-runtime-v2';
import { ValidationError } from '../../../core/errors.js';
import type {
  SpeechRecognizer,
  SpeechRecognizerCapabilities,
  Transcript,
  TranscribeRequest,
} from '../../../core/ports/speech-recognizer.js';
import { rejectIfAborted, startServiceCall } from '../../shared/service-errors.js';
import { decodeLexHeader, LEX, LEX_ERRORS, lexSessionId, type LexBotAddress } from './lex-runtime-wire.js';
import { primaryLanguage } from '../../shared/language-tag.js';
import { pcmOf } from '../../shared/wav.js';

interface LexSpeechRecognizerSettings extends LexBotAddress {
  /** Longest wait for Lex's answer; default 15 s. */
  timeoutMs?: number;
}

/** The one method this adapter calls, so tests and callers can hand in any client that has it. */
type LexClient = Pick<LexRuntimeV2Client, 'send'>;

export type LexSpeechRecognizerOptions = LexSpeechRecognizerSettings &
  ({ client: LexClient; clientConfig?: never } | { client?: never; clientConfig?: LexRuntimeV2ClientConfig });

/**
 * RecognizeUtterance's PCM content types (API reference, `requestContentType`): little-endian 16-bit mono, at 16 kHz
 * or 8 kHz only. Other rates are refused rather than resampled here, so audio quality stays the client's decision.
 */
const CONTENT_TYPES: Readonly<Record<number, string>> = {
  16_000: 'audio/l16; rate=16000; channels=1',
  8000: 'audio/lpcm; sample-rate=8000; sample-size-bits=16; channel-count=1; is-big-endian=false',
};
/** Asking for text keeps Lex from synthesizing a spoken reply nobody will play. */
const RESPONSE_CONTENT_TYPE = 'text/plain; charset=utf-8';

/**
 * Speech to text with an Amazon Lex V2 bot's recognizer (RecognizeUtterance), for deployments that already run a bot:
 * its speech model is biased towards the bot's utterances and slot values. Each clip goes to a fresh session, so
 * recognition never moves a conversation's dialogue state in Lex; the transcript is all this port returns.
 */
export class LexSpeechRecognizer implements SpeechRecognizer {
  readonly capabilities: SpeechRecognizerCapabilities = { formats: ['wav', 'pcm'], streaming: false };
  private readonly client: LexClient;
  private readonly timeoutMs: number;

  constructor(private readonly options: LexSpeechRecognizerOptions) {
    this.client = options.client ?? new LexRuntimeV2Client(options.clientConfig ?? {});
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  async transcribe(request: TranscribeRequest): Promise<Transcript> {
    rejectIfAborted(LEX, request.signal);
    const { audio } = request;
    if (!this.capabilities.formats.includes(audio.format))
      throw new ValidationError(`${LEX}: audio format "${audio.format}" is not supported; send wav or pcm`);
    const { botId, botAliasId, localeId } = this.options;
    if (primaryLanguage(request.language) !== primaryLanguage(localeId))
      throw new ValidationError(`${LEX}: the bot listens in ${localeId}, not "${request.language}"`);
    const pcm = pcmOf(audio, LEX);
    if (pcm.data.length === 0) throw new ValidationError(`${LEX}: there is no audio to transcribe`);
    const requestContentType = CONTENT_TYPES[pcm.sampleRate];
    if (!requestContentType)
      throw new ValidationError(`${LEX}: Lex takes PCM at 8000 or 16000 Hz, not ${pcm.sampleRate} Hz; resample first`);
    const call = startServiceCall(LEX_ERRORS, request.signal, this.timeoutMs);
    try {
      const output = await this.client.send(
        new RecognizeUtteranceCommand({
          botId,
          botAliasId,
          localeId,
          sessionId: lexSessionId(undefined),
          requestContentType,
          responseContentType: RESPONSE_CONTENT_TYPE,
          inputStream: pcm.data,
        }),
        { abortSignal: call.signal },
      );
      // The body is the bot's reply; reading it to the end frees the HTTP/2 stream.
      await output.audioStream?.transformToByteArray();
      const transcript = decodeLexHeader(output.inputTranscript, 'x-amz-lex-input-transcript');
      return { text: typeof transcript === 'string' ? transcript.trim() : '' };
    } catch (error) {
      throw call.fail(error);
    }
  }
}
