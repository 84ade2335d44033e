import * as Type from 'typebox';
import type { Static } from 'typebox';
import {
  adapterChoices,
  COGNITO_TOKEN_USES,
  EVENT_RELAYS,
  LOG_LEVELS,
  POLLY_ENGINES,
  PROFILES,
  STREAM_STARTS,
  UNITS,
  type Port,
} from './choices.js';

const Str = (options: Record<string, unknown> = {}) => Type.String({ minLength: 1, ...options });
const Url = () => Type.String({ pattern: '^https?://[^\\s]+$' });
const Int = (minimum: number, maximum: number, defaultValue?: number) =>
  Type.Integer({ minimum, maximum, ...(defaultValue !== undefined && { default: defaultValue }) });
// An enum, not a union of literals: TypeBox types a union built from an array as `never`.
const OneOf = <T extends string>(values: readonly T[], defaultValue?: T) =>
  Type.Enum(values, defaultValue === undefined ? {} : { default: defaultValue });
const AdapterOverride = <P extends Port>(port: P) => Type.Optional(OneOf(adapterChoices(port)));

/** Every environment variable the assistant reads, with its type, range and default. The README's table mirrors this. */
export const EnvSchema = Type.Object({
  ASSISTANT_PROFILE: OneOf(PROFILES, 'local'),
  ASSISTANT_NAME: Str({ maxLength: 40, default: 'Nova' }),
  HOST: Str({ default: '127.0.0.1' }),
  PORT: Int(0, 65535, 3000),
  DATA_DIR: Str({ default: '.data' }),
  LOG_LEVEL: OneOf(LOG_LEVELS, 'info'),

  // Per-port adapter overrides (choices.ts `ADAPTERS`); unset means the profile's default (config.ts `selectAdapters`).
  CONVERSATION_STORE: AdapterOverride('conversationStore'),
  NLU: AdapterOverride('nlu'),
  LLM: AdapterOverride('llm'),
  TTS: AdapterOverride('tts'),
  STT: AdapterOverride('stt'),
  SENTIMENT: AdapterOverride('sentiment'),
  EVENTS: AdapterOverride('events'),
  CACHE: AdapterOverride('cache'),
  AUTH: AdapterOverride('auth'),
  AUDIO_STORE: AdapterOverride('audioStore'),

  AWS_REGION: Type.Optional(Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-\\d$' })),
  AWS_ENDPOINT_URL: Type.Optional(Url()),
  AWS_REQUEST_TIMEOUT_MS: Int(100, 120_000, 5_000),
  DYNAMODB_TABLE: Str({ default: 'voice-assistant', pattern: '^[A-Za-z0-9_.-]{3,255}$' }),
  RETENTION_DAYS: Int(1, 3650, 90),
  EVENT_BUS_NAME: Str({ default: 'default' }),
  EVENT_SOURCE: Str({ default: 'voice-assistant' }),
  // Who relays the DynamoDB store's event items (choices.ts `EVENT_RELAYS`); `stream` where no Pipe reads the table.
  EVENT_RELAY: OneOf(EVENT_RELAYS, 'pipe'),
  EVENT_RELAY_START: OneOf(STREAM_STARTS, 'trim-horizon'),
  BEDROCK_MODEL_ID: Str({ default: 'anthropic.claude-3-haiku-20240307-v1:0' }),
  BEDROCK_GUARDRAIL_ID: Type.Optional(Str()),
  BEDROCK_GUARDRAIL_VERSION: Type.Optional(Str()),
  LEX_BOT_ID: Type.Optional(Str()),
  LEX_BOT_ALIAS_ID: Type.Optional(Str()),
  LEX_LOCALE_ID: Str({ default: 'en_US' }),
  POLLY_VOICE: Str({ default: 'Joanna' }),
  POLLY_ENGINE: OneOf(POLLY_ENGINES, 'neural'),
  COGNITO_USER_POOL_ID: Type.Optional(Type.String({ pattern: '^[\\w-]+_[0-9a-zA-Z]+$' })),
  COGNITO_CLIENT_ID: Type.Optional(Str()),
  COGNITO_TOKEN_USE: OneOf(COGNITO_TOKEN_USES, 'access'),
  // Audio clips that turn records name (s3 when set): needed to run voice turns through the workflow.
  AUDIO_BUCKET: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' })),
  AUDIO_PREFIX: Str({ default: 'audio/', pattern: '^[\\w./-]{0,200}$' }),
  // The Express state machine (deploy/workflow/turn-workflow.asl.json) that voice turns run through when set.
  WORKFLOW_STATE_MACHINE_ARN: Type.Optional(
    Type.String({ pattern: '^arn:aws[\\w-]*:states:[\\w-]+:\\d{12}:stateMachine:[\\w-]{1,80}$' }),
  ),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  WEATHER_CACHE_SECONDS: Int(0, 86_400, 600),
  LLM_CACHE_SECONDS: Int(0, 604_800, 0),
  METRICS_NAMESPACE: Str({ default: 'VoiceAssistant' }),

  LLM_BASE_URL: Type.Optional(Url()),
  LLM_MODEL: Str({ default: 'llama3.2' }),
  LLM_API_KEY: Type.Optional(Str()),
  LLM_TIMEOUT_MS: Int(100, 300_000, 20_000),
  LLM_MAX_TOKENS: Int(1, 8192, 300),
  LLM_TEMPERATURE: Type.Number({ minimum: 0, maximum: 2, default: 0.3 }),
  HISTORY_WINDOW: Int(0, 100, 10),

  NLU_CONFIDENCE_THRESHOLD: Type.Number({ minimum: 0, maximum: 1, default: 0.6 }),
  TTS_VOICE: Type.Optional(Str()),

  WEATHER_GEOCODING_URL: Type.Optional(Url()),
  WEATHER_FORECAST_URL: Type.Optional(Url()),
  WEATHER_TIMEOUT_MS: Int(100, 60_000, 5_000),
  MUSIC_CATALOG_PATH: Type.Optional(Str()),
  MUSIC_BASE_URL: Type.Optional(Url()),

  DEFAULT_LANGUAGE: Str({ default: 'en-US' }),
  DEFAULT_UNITS: OneOf(UNITS, 'metric'),
  DEFAULT_TIME_ZONE: Str({ default: 'UTC' }),

  AUTH_SECRET: Type.Optional(Str({ minLength: 32 })),
  AUTH_ISSUER: Str({ default: 'voice-assistant-local' }),
  AUTH_AUDIENCE: Str({ default: 'voice-assistant' }),
  TOKEN_TTL_SECONDS: Int(60, 31_536_000, 86_400),

  RATE_LIMIT_MAX: Int(0, 1_000_000, 120),
  RATE_LIMIT_WINDOW_MS: Int(1000, 3_600_000, 60_000),
  AUTH_FAILURE_LIMIT: Int(0, 1_000_000, 20),
  CORS_ORIGINS: Type.Optional(Str({ maxLength: 4096 })),
  BODY_LIMIT_BYTES: Int(1024, 50 * 1024 * 1024, 1024 * 1024),
  AUDIO_BODY_LIMIT_BYTES: Int(1024, 50 * 1024 * 1024, 10 * 1024 * 1024),
  AUDIO_MAX_SECONDS: Int(1, 300, 30),
  MAX_TEXT_LENGTH: Int(1, 10_000, 2000),

  // Where loadAwsConfig (load-aws-config.ts) reads more of these variables: a Parameter Store hierarchy, and a JSON
  // object of variable -> Secrets Manager secret id (`{"LLM_API_KEY":"voice-assistant/prod/llm"}`, `id#jsonField`).
  CONFIG_PARAMETERS_PATH: Type.Optional(Type.String({ pattern: '^/[\\w.\\-/]*$' })),
  CONFIG_SECRET_IDS: Type.Optional(Str()),
});

export type Env = Static<typeof EnvSchema>;
