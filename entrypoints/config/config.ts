import { Value } from 'typebox/value';
import { EnvSchema, type Env } from './env-schema.js';
import type { Preferences } from '../../core/ports/user-profile-store.js';

export type Profile = 'local' | 'aws';

/** The parsed, frozen configuration every composition root works from. */
export interface AppConfig {
  profile: Profile;
  assistantName: string;
  server: { host: string; port: number; logLevel: Env['LOG_LEVEL'] };
  dataDir: string;
  adapters: {
    conversationStore: 'memory' | 'sqlite';
    tts: 'espeak' | 'none';
    llm: 'openai-compatible' | 'offline';
  };
  llm: { baseUrl?: string; model: string; apiKey?: string; timeoutMs: number; maxTokens: number; temperature: number; historyWindow: number };
  nlu: { confidenceThreshold: number };
  tts: { voice?: string };
  weather: { geocodingUrl?: string; forecastUrl?: string; timeoutMs: number };
  music: { catalogPath?: string; baseUrl?: string };
  defaults: Preferences;
  auth: { secret?: string; issuer: string; audience: string; tokenTtlSeconds: number };
  limits: { rateLimitMax: number; rateLimitWindowMs: number; bodyLimitBytes: number; audioBodyLimitBytes: number; maxTextLength: number };
}

/** Values never repeated in an error message. */
const SECRET_VARIABLES = new Set(['AUTH_SECRET', 'LLM_API_KEY']);

/** Thrown at start-up; lists every invalid variable so one fix round is enough. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; unknown values are listed by variable name, nothing is guessed. */
export function loadConfig(environment: Record<string, string | undefined> = process.env): AppConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = environment[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const env = Value.Default(EnvSchema, Value.Convert(EnvSchema, raw)) as Env;
  const problems = [...Value.Errors(EnvSchema, env)].map((error) => {
    const name = error.instancePath.replace(/^\//, '') || String((error.params as { requiredProperties?: string[] }).requiredProperties ?? '');
    const shown = SECRET_VARIABLES.has(name) ? '[redacted]' : JSON.stringify(environment[name] ?? '');
    return `${name}=${shown}: ${error.message}`;
  });
  if (problems.length === 0) problems.push(...semanticProblems(env));
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(toConfig(env));
}

function semanticProblems(env: Env): string[] {
  const problems: string[] = [];
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: env.DEFAULT_TIME_ZONE });
  } catch {
    problems.push(`DEFAULT_TIME_ZONE=${JSON.stringify(env.DEFAULT_TIME_ZONE)}: not an IANA time zone`);
  }
  try {
    Intl.getCanonicalLocales(env.DEFAULT_LANGUAGE);
  } catch {
    problems.push(`DEFAULT_LANGUAGE=${JSON.stringify(env.DEFAULT_LANGUAGE)}: not a BCP 47 language tag`);
  }
  if (env.LLM === 'openai-compatible' && !env.LLM_BASE_URL) problems.push('LLM=openai-compatible needs LLM_BASE_URL');
  return problems;
}

function toConfig(env: Env): AppConfig {
  return {
    profile: env.ASSISTANT_PROFILE,
    assistantName: env.ASSISTANT_NAME,
    server: { host: env.HOST, port: env.PORT, logLevel: env.LOG_LEVEL },
    dataDir: env.DATA_DIR,
    adapters: {
      conversationStore: env.CONVERSATION_STORE ?? 'sqlite',
      tts: env.TTS ?? 'espeak',
      llm: env.LLM ?? (env.LLM_BASE_URL ? 'openai-compatible' : 'offline'),
    },
    llm: {
      ...(env.LLM_BASE_URL && { baseUrl: env.LLM_BASE_URL }),
      ...(env.LLM_API_KEY && { apiKey: env.LLM_API_KEY }),
      model: env.LLM_MODEL,
      timeoutMs: env.LLM_TIMEOUT_MS,
      maxTokens: env.LLM_MAX_TOKENS,
      temperature: env.LLM_TEMPERATURE,
      historyWindow: env.HISTORY_WINDOW,
    },
    nlu: { confidenceThreshold: env.NLU_CONFIDENCE_THRESHOLD },
    tts: { ...(env.TTS_VOICE && { voice: env.TTS_VOICE }) },
    weather: {
      ...(env.WEATHER_GEOCODING_URL && { geocodingUrl: env.WEATHER_GEOCODING_URL }),
      ...(env.WEATHER_FORECAST_URL && { forecastUrl: env.WEATHER_FORECAST_URL }),
      timeoutMs: env.WEATHER_TIMEOUT_MS,
    },
    music: {
      ...(env.MUSIC_CATALOG_PATH && { catalogPath: env.MUSIC_CATALOG_PATH }),
      ...(env.MUSIC_BASE_URL && { baseUrl: env.MUSIC_BASE_URL }),
    },
    defaults: { language: env.DEFAULT_LANGUAGE, units: env.DEFAULT_UNITS, timeZone: env.DEFAULT_TIME_ZONE },
    auth: {
      ...(env.AUTH_SECRET && { secret: env.AUTH_SECRET }),
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      tokenTtlSeconds: env.TOKEN_TTL_SECONDS,
    },
    limits: {
      rateLimitMax: env.RATE_LIMIT_MAX,
      rateLimitWindowMs: env.RATE_LIMIT_WINDOW_MS,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      audioBodyLimitBytes: env.AUDIO_BODY_LIMIT_BYTES,
      maxTextLength: env.MAX_TEXT_LENGTH,
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
