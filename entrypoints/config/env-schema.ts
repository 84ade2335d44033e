import Type, { type Static } from 'typebox';

const Str = (options: Record<string, unknown> = {}) => Type.String({ minLength: 1, ...options });
const Url = () => Type.String({ pattern: '^https?://[^\\s]+$' });
const Int = (minimum: number, maximum: number, defaultValue?: number) =>
  Type.Integer({ minimum, maximum, ...(defaultValue !== undefined && { default: defaultValue }) });
const OneOf = <T extends string>(values: readonly T[], defaultValue?: T) =>
  Type.Union(values.map((v) => Type.Literal(v)), defaultValue === undefined ? {} : { default: defaultValue });

/** Every environment variable the assistant reads, with its type, range and default. The README's table mirrors this. */
export const EnvSchema = Type.Object({
  ASSISTANT_PROFILE: OneOf(['local', 'aws'] as const, 'local'),
  ASSISTANT_NAME: Str({ maxLength: 40, default: 'Nova' }),
  HOST: Str({ default: '127.0.0.1' }),
  PORT: Int(0, 65535, 3000),
  DATA_DIR: Str({ default: '.data' }),
  LOG_LEVEL: OneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),

  CONVERSATION_STORE: Type.Optional(OneOf(['memory', 'sqlite'] as const)),
  TTS: Type.Optional(OneOf(['espeak', 'none'] as const)),
  LLM: Type.Optional(OneOf(['openai-compatible', 'offline'] as const)),

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
  DEFAULT_UNITS: OneOf(['metric', 'imperial'] as const, 'metric'),
  DEFAULT_TIME_ZONE: Str({ default: 'UTC' }),

  AUTH_SECRET: Type.Optional(Str({ minLength: 32 })),
  AUTH_ISSUER: Str({ default: 'voice-assistant-local' }),
  AUTH_AUDIENCE: Str({ default: 'voice-assistant' }),
  TOKEN_TTL_SECONDS: Int(60, 31_536_000, 86_400),

  RATE_LIMIT_MAX: Int(0, 1_000_000, 120),
  RATE_LIMIT_WINDOW_MS: Int(1000, 3_600_000, 60_000),
  BODY_LIMIT_BYTES: Int(1024, 50 * 1024 * 1024, 1024 * 1024),
  AUDIO_BODY_LIMIT_BYTES: Int(1024, 50 * 1024 * 1024, 10 * 1024 * 1024),
  MAX_TEXT_LENGTH: Int(1, 10_000, 2000),
});

export type Env = Static<typeof EnvSchema>;
