import type { TSchema } from 'typebox';
import * as Value from 'typebox/value';
import { EnvSchema, type Env } from './env-schema.js';
import type { Preferences } from '../../core/model/profile.js';
import {
  moduleOf,
  PORTS,
  PROFILE_DEFAULTS,
  type AdapterModule,
  type AdapterSelection,
  type CognitoTokenUse,
  type EventRelayChoice,
  type LogLevel,
  type PollyEngine,
  type Port,
  type Profile,
  type StreamStartChoice,
} from './choices.js';

/** The parsed, frozen configuration every composition root works from. */
export interface AppConfig {
  profile: Profile;
  assistantName: string;
  server: { host: string; port: number; logLevel: LogLevel; corsOrigins: string[] };
  dataDir: string;
  /** The adapter bound to each port, resolved here once (`selectAdapters`); the modules bind what it names. */
  adapters: AdapterSelection;
  aws: {
    region?: string;
    endpoint?: string;
    /** Connect and response timeout of the HTTP/1.1 AWS clients (DynamoDB, EventBridge, Comprehend). */
    requestTimeoutMs: number;
    tableName: string;
    retentionDays: number;
    eventBusName: string;
    eventSource: string;
    /** Who relays the DynamoDB store's event items: the table's Pipe, or this process reading the stream. */
    eventRelay: { kind: EventRelayChoice; start: StreamStartChoice };
    bedrock: { modelId: string; guardrail?: { id: string; version: string } };
    lex: { botId?: string; botAliasId?: string; localeId: string };
    polly: { voice: string; engine: PollyEngine };
    cognito: { userPoolId?: string; clientId?: string; tokenUse: CognitoTokenUse };
    metricsNamespace: string;
    audio: { bucket?: string; prefix: string };
    /** Set when voice turns run through the Step Functions turn workflow instead of in this process. */
    workflow?: { stateMachineArn: string };
  };
  cache: { redisUrl?: string; weatherSeconds: number; llmSeconds: number };
  llm: {
    baseUrl?: string;
    model: string;
    apiKey?: string;
    timeoutMs: number;
    maxTokens: number;
    temperature: number;
    historyWindow: number;
  };
  nlu: { confidenceThreshold: number };
  tts: { voice?: string };
  /** `explicit`: STT was set, so a recognizer that cannot load stops the start instead of turning voice input off. */
  stt: { explicit: boolean };
  weather: { geocodingUrl?: string; forecastUrl?: string; timeoutMs: number };
  music: { catalogPath?: string; baseUrl?: string };
  defaults: Preferences;
  auth: { secret?: string; issuer: string; audience: string; tokenTtlSeconds: number };
  limits: {
    rateLimitMax: number;
    rateLimitWindowMs: number;
    authFailureLimit: number;
    bodyLimitBytes: number;
    audioBodyLimitBytes: number;
    /** Longest audio input accepted, in seconds (decoded duration). */
    audioMaxSeconds: number;
    maxTextLength: number;
  };
}

/** Values never repeated in an error message. */
const SECRET_VARIABLES = new Set(['AUTH_SECRET', 'LLM_API_KEY', 'REDIS_URL']);

/** Thrown at start-up; lists every invalid variable so one fix round is enough. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A schema whose every value is a string (a string, or an enum of strings): converting a string to it changes nothing. */
export function admitsOnlyStrings(schema: TSchema): boolean {
  const { type, enum: values } = schema as { type?: unknown; enum?: unknown };
  return type === 'string' || (Array.isArray(values) && values.every((value) => typeof value === 'string'));
}

/** The variables Value.Convert may change (the numeric ones), found on the first load. */
let converted: ReadonlySet<string> | undefined;
const convertedVariables = () =>
  (converted ??= new Set(
    Object.entries(EnvSchema.properties as Record<string, TSchema>)
      .filter(([, schema]) => !admitsOnlyStrings(schema))
      .map(([key]) => key),
  ));

/** Parses the environment once; unknown values are listed by variable name, nothing is guessed. */
export function loadConfig(environment: Record<string, string | undefined> = process.env): AppConfig {
  // Each present variable is converted by its own schema: what Value.Convert does for the object, without trying every
  // property of the schema against every key through a RegExp of its own (~10 ms of a Lambda cold start). A variable
  // whose schema admits only strings (three in four) is taken as it is: converting a string to it is the identity, and
  // Value.Convert walking an enum of choices was most of what remained of the config step.
  const properties: Record<string, TSchema> = EnvSchema.properties;
  const toConvert = convertedVariables();
  const raw: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(properties)) {
    const value = environment[key];
    if (value !== undefined && value !== '') raw[key] = toConvert.has(key) ? Value.Convert(schema, value) : value;
  }
  const env = Value.Default(EnvSchema, raw) as Env;
  // Checking is a walk over the schema; listing errors is a slower one, worth it only when there are some.
  const problems = (Value.Check(EnvSchema, env) ? [] : [...Value.Errors(EnvSchema, env)]).map((error) => {
    const name =
      error.instancePath.replace(/^\//, '') ||
      String((error.params as { requiredProperties?: string[] }).requiredProperties ?? '');
    const shown = SECRET_VARIABLES.has(name) ? '[redacted]' : JSON.stringify(environment[name] ?? '');
    return `${name}=${shown}: ${error.message}`;
  });
  if (problems.length === 0) problems.push(...semanticProblems(env));
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(toConfig(env));
}

function semanticProblems(env: Env): string[] {
  const problems: string[] = [];
  // Asking ICU about a zone loads its time-zone data (~15-30 ms, a third of a Lambda init's budget); UTC, the default,
  // is a zone in every build, so it needs no asking.
  if (env.DEFAULT_TIME_ZONE !== 'UTC') {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: env.DEFAULT_TIME_ZONE });
    } catch {
      problems.push(`DEFAULT_TIME_ZONE=${JSON.stringify(env.DEFAULT_TIME_ZONE)}: not an IANA time zone`);
    }
  }
  try {
    Intl.getCanonicalLocales(env.DEFAULT_LANGUAGE);
  } catch {
    problems.push(`DEFAULT_LANGUAGE=${JSON.stringify(env.DEFAULT_LANGUAGE)}: not a BCP 47 language tag`);
  }
  const adapters = selectAdapters(env);
  const needs = (when: boolean, variables: (keyof Env)[], because: string) => {
    for (const name of variables) if (when && !env[name]) problems.push(`${name} is required ${because}`);
  };
  needs(adapters.llm === 'openai-compatible', ['LLM_BASE_URL'], 'for LLM=openai-compatible');
  needs(adapters.nlu === 'lex' || adapters.stt === 'lex', ['LEX_BOT_ID', 'LEX_BOT_ALIAS_ID'], 'for the Lex adapters');
  needs(adapters.auth === 'cognito', ['COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID'], 'for AUTH=cognito');
  needs(adapters.cache === 'redis', ['REDIS_URL'], 'for CACHE=redis');
  needs(adapters.audioStore === 's3', ['AUDIO_BUCKET'], 'for AUDIO_STORE=s3');
  if (env.WORKFLOW_STATE_MACHINE_ARN && adapters.audioStore !== 's3') {
    problems.push(
      'WORKFLOW_STATE_MACHINE_ARN needs AUDIO_STORE=s3 (or AUDIO_BUCKET): workflow tasks read audio by reference',
    );
  }
  const awsChoices = PORTS.filter((port) => modulesOf(adapters, port) === 'aws').map((port) => adapters[port]);
  needs(awsChoices.length > 0, ['AWS_REGION'], `for the AWS adapters (${awsChoices.join(', ')})`);
  for (const origin of corsOriginsOf(env)) {
    if (!isExactOrigin(origin))
      problems.push(`CORS_ORIGINS: ${JSON.stringify(origin)} is not an exact origin like https://app.example.com`);
  }
  if (Boolean(env.BEDROCK_GUARDRAIL_ID) !== Boolean(env.BEDROCK_GUARDRAIL_VERSION)) {
    problems.push('BEDROCK_GUARDRAIL_ID and BEDROCK_GUARDRAIL_VERSION go together');
  }
  return problems;
}

function corsOriginsOf(env: Env): string[] {
  return (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
}

/** Browsers send the Origin header as scheme://host[:port] exactly; anything else (a path, a wildcard) never matches. */
function isExactOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

function modulesOf<P extends Port>(adapters: AdapterSelection, port: P): AdapterModule {
  return moduleOf(port, adapters[port]);
}

/** True when any port is served by an adapter the aws module binds (an AWS service or Redis), so it must be loaded. */
export function usesAwsModule(config: AppConfig): boolean {
  return PORTS.some((port) => modulesOf(config.adapters, port) !== 'local');
}

/**
 * The one place an adapter is chosen for each port: the per-port variable, else the adapter a setting implies (a model
 * URL, a Redis URL, a Lex bot on AWS), else the profile's default.
 */
function selectAdapters(env: Env): AdapterSelection {
  const defaults: AdapterSelection = { ...PROFILE_DEFAULTS[env.ASSISTANT_PROFILE] };
  if (env.LLM_BASE_URL) defaults.llm = 'openai-compatible';
  if (env.REDIS_URL) defaults.cache = 'redis';
  if (env.AUDIO_BUCKET) defaults.audioStore = 's3';
  if (env.ASSISTANT_PROFILE === 'aws' && env.LEX_BOT_ID) defaults.nlu = 'lex';
  return {
    conversationStore: env.CONVERSATION_STORE ?? defaults.conversationStore,
    nlu: env.NLU ?? defaults.nlu,
    llm: env.LLM ?? defaults.llm,
    tts: env.TTS ?? defaults.tts,
    stt: env.STT ?? defaults.stt,
    sentiment: env.SENTIMENT ?? defaults.sentiment,
    events: env.EVENTS ?? defaults.events,
    cache: env.CACHE ?? defaults.cache,
    auth: env.AUTH ?? defaults.auth,
    audioStore: env.AUDIO_STORE ?? defaults.audioStore,
  };
}

/** A setting config validation made required for the chosen adapter; the modules read it through here. */
export function required<T>(value: T | undefined, variable: string): T {
  if (value === undefined) throw new ConfigError([`${variable} is required for the adapter the configuration selects`]);
  return value;
}

/** The event transport a relay delivers to: bound by every EVENTS choice but `none`, which binds null and no relay. */
export function boundTransport<T>(transport: T | null): T {
  if (transport === null) throw new ConfigError(['EVENTS=none binds no event transport for a relay to deliver to']);
  return transport;
}

function toConfig(env: Env): AppConfig {
  return {
    profile: env.ASSISTANT_PROFILE,
    assistantName: env.ASSISTANT_NAME,
    server: { host: env.HOST, port: env.PORT, logLevel: env.LOG_LEVEL, corsOrigins: corsOriginsOf(env) },
    dataDir: env.DATA_DIR,
    adapters: selectAdapters(env),
    aws: {
      ...(env.AWS_REGION && { region: env.AWS_REGION }),
      ...(env.AWS_ENDPOINT_URL && { endpoint: env.AWS_ENDPOINT_URL }),
      requestTimeoutMs: env.AWS_REQUEST_TIMEOUT_MS,
      tableName: env.DYNAMODB_TABLE,
      retentionDays: env.RETENTION_DAYS,
      eventBusName: env.EVENT_BUS_NAME,
      eventSource: env.EVENT_SOURCE,
      eventRelay: { kind: env.EVENT_RELAY, start: env.EVENT_RELAY_START },
      bedrock: {
        modelId: env.BEDROCK_MODEL_ID,
        ...(env.BEDROCK_GUARDRAIL_ID &&
          env.BEDROCK_GUARDRAIL_VERSION && {
            guardrail: { id: env.BEDROCK_GUARDRAIL_ID, version: env.BEDROCK_GUARDRAIL_VERSION },
          }),
      },
      lex: {
        ...(env.LEX_BOT_ID && { botId: env.LEX_BOT_ID }),
        ...(env.LEX_BOT_ALIAS_ID && { botAliasId: env.LEX_BOT_ALIAS_ID }),
        localeId: env.LEX_LOCALE_ID,
      },
      polly: { voice: env.POLLY_VOICE, engine: env.POLLY_ENGINE },
      cognito: {
        ...(env.COGNITO_USER_POOL_ID && { userPoolId: env.COGNITO_USER_POOL_ID }),
        ...(env.COGNITO_CLIENT_ID && { clientId: env.COGNITO_CLIENT_ID }),
        tokenUse: env.COGNITO_TOKEN_USE,
      },
      metricsNamespace: env.METRICS_NAMESPACE,
      audio: { ...(env.AUDIO_BUCKET && { bucket: env.AUDIO_BUCKET }), prefix: env.AUDIO_PREFIX },
      ...(env.WORKFLOW_STATE_MACHINE_ARN && { workflow: { stateMachineArn: env.WORKFLOW_STATE_MACHINE_ARN } }),
    },
    cache: {
      ...(env.REDIS_URL && { redisUrl: env.REDIS_URL }),
      weatherSeconds: env.WEATHER_CACHE_SECONDS,
      llmSeconds: env.LLM_CACHE_SECONDS,
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
    stt: { explicit: env.STT !== undefined },
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
      authFailureLimit: env.AUTH_FAILURE_LIMIT,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      audioBodyLimitBytes: env.AUDIO_BODY_LIMIT_BYTES,
      audioMaxSeconds: env.AUDIO_MAX_SECONDS,
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
