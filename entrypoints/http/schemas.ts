import * as Type from 'typebox';
import type { Static, TObjectOptions, TSchema, TString } from 'typebox';

type StringRecordOf<T extends TSchema> = ReturnType<typeof Type.Record<TString, T>>;

/** Ids the stores hand out (UUIDs, ULIDs, test ids): a conservative charset keeps them safe in URLs, logs and keys. */
const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$', description: 'An opaque identifier.' });
const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 instant.' });
/**
 * A JSON object of any shape, for response schemas. Without a `type`, fast-json-stringify writes the value with one
 * JSON.stringify; as a record (`patternProperties`) it looped over the keys with a regex test and a JSON.stringify
 * per value (~0.9 us of a history page of ten turns, five of them with data). The same text either way.
 */
const Json = Type.Unsafe<Record<string, unknown>>({ description: 'A JSON object.' });
/**
 * `Type.Record(Type.String(), value, options)`, built as TypeBox builds it (the same properties, order and
 * descriptors; test/lambda/typebox-on-first-use.test.ts compares them): TypeBox's Record goes through its type engine (~40 KB of a
 * bundle), which nothing else here needs, so the Lambda API's cold start does not load it.
 */
export function StringRecord<T extends TSchema>(value: T, options: TObjectOptions = {}): StringRecordOf<T> {
  const record = { type: 'object', patternProperties: { '^.*$': value } };
  Object.defineProperty(record, '~kind', { value: 'Record', writable: true, enumerable: false, configurable: true });
  return Object.assign(record, options) as unknown as StringRecordOf<T>;
}

/**
 * One of a few strings, for response schemas: `{ type: 'string', enum }` says what a union of literals says, but
 * fast-json-stringify serializes a union (anyOf) by running Ajv on the value for each branch, on every item of every
 * response, and an enum as the plain string it is.
 */
const OneOf = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

export const FieldErrorSchema = Type.Object({
  in: Type.String({ description: 'Where the offending value is: body, query, path or header.' }),
  pointer: Type.String({ description: 'JSON Pointer to the value within that part.' }),
  detail: Type.String(),
});

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'A URI identifying the problem type.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable machine code, e.g. VALIDATION or CONVERSATION_NOT_FOUND.' }),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details.' },
);
export type Problem = Static<typeof ProblemSchema>;
export type FieldError = Static<typeof FieldErrorSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Every error response, documented once: the single error handler answers with this shape. */
export const problemResponses = {
  '4xx': { description: 'Client error', content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } },
  '5xx': { description: 'Server error', content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } },
} as const;

export const bearerSecurity = [{ bearerAuth: [] }];

export const ConversationParamsSchema = Type.Object({ id: Id }, { additionalProperties: false });

export const DEFAULT_PAGE_LIMIT = 20;
export const PageQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_PAGE_LIMIT })),
    cursor: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9_-]{1,512}$', description: 'The nextCursor of the previous page.' }),
    ),
  },
  { additionalProperties: false },
);

export const CreateConversationBodySchema = Type.Object(
  { title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
);

export const ConversationSummarySchema = Type.Object({
  id: Id,
  title: Type.Optional(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  turnCount: Type.Integer(),
});

export const ConversationSchema = Type.Object({
  id: Id,
  title: Type.Optional(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  turnCount: Type.Integer(),
  version: Type.Integer({ description: 'Incremented by every exchange.' }),
  lastIntent: Type.Optional(Type.String()),
  pending: Type.Optional(
    Type.Object(
      { intent: Type.String(), slot: Type.String() },
      { description: 'The question the assistant is waiting on.' },
    ),
  ),
});

export const ConversationPageSchema = Type.Object({
  items: Type.Array(ConversationSummarySchema),
  nextCursor: Type.Optional(Type.String()),
});

const Slots = StringRecord(Type.Union([Type.String(), Type.Number()]));

export const TurnSchema = Type.Object({
  id: Type.String(),
  role: OneOf(['user', 'assistant']),
  text: Type.String(),
  at: Timestamp,
  intent: Type.Optional(Type.String()),
  skill: Type.Optional(Type.String()),
  slots: Type.Optional(Slots),
  sentiment: Type.Optional(Type.Object({ label: Type.String(), score: Type.Number() })),
  data: Type.Optional(Json),
  interrupted: Type.Optional(
    Type.Boolean({ description: 'The user interrupted this reply; `text` is the part that reached them.' }),
  ),
});

export const TurnPageSchema = Type.Object({ items: Type.Array(TurnSchema), nextCursor: Type.Optional(Type.String()) });

const SpeechFormat = Type.Union([Type.Literal('wav'), Type.Literal('mp3'), Type.Literal('ogg'), Type.Literal('pcm')]);
/** Strict, padded standard base64: Buffer.from(…, 'base64') silently skips junk, so the schema refuses it first. */
export const BASE64_PATTERN = '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$';

/** The turn body, with the configured text limit (`MAX_TEXT_LENGTH`, the same the core enforces). */
export const turnBodySchema = (maxTextLength: number) =>
  Type.Object(
    {
      text: Type.Optional(Type.String({ minLength: 1, maxLength: maxTextLength })),
      audio: Type.Optional(
        Type.Object(
          {
            data: Type.String({
              minLength: 4,
              pattern: BASE64_PATTERN,
              contentEncoding: 'base64',
              description: 'Base64 of the audio file or raw PCM.',
            }),
            format: Type.String({
              minLength: 1,
              maxLength: 100,
              description:
                'wav, pcm, ogg or webm, or a MIME type: audio/wav, audio/L16;rate=16000 (16-bit little-endian), ' +
                'audio/ogg (Opus), audio/webm;codecs=opus. Other formats get 415.',
            }),
            sampleRate: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 384_000, description: 'Raw PCM: its rate (8000–48000 accepted).' }),
            ),
            channels: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 8, description: 'Raw PCM: interleaved channels (1 or 2 accepted).' }),
            ),
          },
          { additionalProperties: false },
        ),
      ),
      speech: Type.Optional(
        Type.Object(
          { format: Type.Optional(SpeechFormat), voice: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
          { additionalProperties: false, description: 'Ask for the reply as speech too.' },
        ),
      ),
    },
    {
      additionalProperties: false,
      // Exactly one input: a union of two objects would report every branch's errors, this reports one clear one.
      oneOf: [{ required: ['text'] }, { required: ['audio'] }],
      description: 'Exactly one of text or audio.',
    },
  );
export type TurnBody = Static<ReturnType<typeof turnBodySchema>>;

export const TurnReplySchema = Type.Object({
  conversationId: Type.String(),
  turnId: Type.String(),
  text: Type.String(),
  heard: Type.String({ description: 'What the user said (the transcript for audio).' }),
  intent: Type.String(),
  confidence: Type.Number(),
  route: OneOf(['skill', 'ask', 'llm']),
  skill: Type.Optional(Type.String()),
  slots: Slots,
  data: Type.Optional(Json),
  endConversation: Type.Boolean(),
  timings: StringRecord(Type.Number(), { description: 'Milliseconds per step.' }),
  version: Type.Integer(),
  audio: Type.Optional(
    Type.Object({
      data: Type.String({ contentEncoding: 'base64' }),
      format: SpeechFormat,
      mimeType: Type.String(),
      sampleRate: Type.Integer(),
    }),
  ),
  speechError: Type.Optional(
    Type.String({ description: 'Why speech was wanted but not produced; the text still stands.' }),
  ),
  replayed: Type.Optional(
    Type.Boolean({ description: 'The stored reply to an earlier request with the same Idempotency-Key.' }),
  ),
  interrupted: Type.Optional(
    Type.Boolean({ description: 'The user interrupted the reply; `text` is the part that reached them.' }),
  ),
});

export const TurnHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      pattern: '^[A-Za-z0-9._:-]+$',
      description:
        'Send the same key when retrying a turn (e.g. after a 503): a turn already stored is replayed, not run twice.',
    }),
  ),
});

const Units = Type.Union([Type.Literal('metric'), Type.Literal('imperial')]);
const preferenceFields = {
  voice: Type.String({ minLength: 1, maxLength: 64 }),
  language: Type.String({
    minLength: 2,
    maxLength: 35,
    pattern: '^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$',
    description: 'BCP 47 tag.',
  }),
  units: Units,
  timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Paris.' }),
  homeCity: Type.String({ minLength: 1, maxLength: 100 }),
};

export const PreferencesSchema = Type.Object({
  voice: Type.Optional(preferenceFields.voice),
  language: preferenceFields.language,
  units: Units,
  timeZone: preferenceFields.timeZone,
  homeCity: Type.Optional(preferenceFields.homeCity),
});

export const PreferencesPatchSchema = Type.Object(
  {
    voice: Type.Optional(preferenceFields.voice),
    language: Type.Optional(preferenceFields.language),
    units: Type.Optional(Units),
    timeZone: Type.Optional(preferenceFields.timeZone),
    homeCity: Type.Optional(preferenceFields.homeCity),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ErasureSchema = Type.Object({
  conversations: Type.Integer({ description: 'How many conversations were erased.' }),
  profile: Type.Boolean({ description: 'Whether a stored profile was erased.' }),
});

export const SkillListSchema = Type.Object({
  skills: Type.Array(
    Type.Object({
      name: Type.String(),
      description: Type.String(),
      intents: Type.Array(
        Type.Object({
          name: Type.String(),
          utterances: Type.Array(Type.String(), { description: 'Example utterances; {slot} marks a slot.' }),
          slots: Type.Array(Type.Object({ name: Type.String(), entity: Type.String(), required: Type.Boolean() })),
        }),
      ),
    }),
  ),
});

export const HealthSchema = Type.Object({ status: Type.Literal('ok'), version: Type.Optional(Type.String()) });
export const ReadySchema = Type.Object({
  status: Type.Literal('ready'),
  checks: StringRecord(Type.String()),
});
