import type { Preferences } from '../../core/model/profile.js';

// Every closed set of values the configuration accepts, defined once: the environment schema and the config's types
// are both derived from these.

/** The profiles: each gives every port a default adapter. */
export const PROFILES = ['local', 'aws'] as const;
export type Profile = (typeof PROFILES)[number];

export type AdapterModule = 'local' | 'aws' | 'redis';

/**
 * The adapters each port can be given, and which container module binds them: `local` (in-process or plain HTTP),
 * `aws` (an AWS service: needs a region) or `redis` (a Redis server). The aws module binds the last two and imports
 * each one on first use.
 */
export const ADAPTERS = {
  conversationStore: { memory: 'local', sqlite: 'local', dynamodb: 'aws' },
  nlu: { nlpjs: 'local', lex: 'aws' },
  llm: { 'openai-compatible': 'local', offline: 'local', bedrock: 'aws' },
  tts: { espeak: 'local', polly: 'aws', none: 'local' },
  stt: { pocketsphinx: 'local', transcribe: 'aws', lex: 'aws', none: 'local' },
  sentiment: { afinn: 'local', comprehend: 'aws', none: 'local' },
  events: { 'in-process': 'local', eventbridge: 'aws', none: 'local' },
  cache: { memory: 'local', redis: 'redis' },
  auth: { local: 'local', cognito: 'aws' },
  audioStore: { memory: 'local', s3: 'aws' },
} as const satisfies Record<string, Record<string, AdapterModule>>;

export type Port = keyof typeof ADAPTERS;
export type AdapterChoice<P extends Port> = keyof (typeof ADAPTERS)[P] & string;
/** The adapter bound to each port. */
export type AdapterSelection = { [P in Port]: AdapterChoice<P> };

/** Each profile's adapter per port; a per-port variable (or a setting that implies one, see config.ts) overrides it. */
export const PROFILE_DEFAULTS = {
  local: {
    conversationStore: 'sqlite',
    nlu: 'nlpjs',
    llm: 'offline',
    tts: 'espeak',
    // Voice input is off (with one log line saying how to turn it on) while Debian's pocketsphinx is not installed.
    stt: 'pocketsphinx',
    sentiment: 'afinn',
    // No one in this process consumes a turn's events: EVENTS=in-process records them (the outbox) for a subscriber.
    events: 'none',
    cache: 'memory',
    auth: 'local',
    audioStore: 'memory',
  },
  aws: {
    conversationStore: 'dynamodb',
    nlu: 'nlpjs',
    llm: 'bedrock',
    tts: 'polly',
    stt: 'transcribe',
    sentiment: 'comprehend',
    events: 'eventbridge',
    cache: 'memory',
    auth: 'cognito',
    audioStore: 'memory',
  },
} as const satisfies Record<Profile, AdapterSelection>;

export const PORTS = keysOf(ADAPTERS);

/** The adapters `port` accepts, in declaration order. */
export function adapterChoices<P extends Port>(port: P): AdapterChoice<P>[] {
  return keysOf(ADAPTERS[port]);
}

const MODULES: { [P in Port]: Record<AdapterChoice<P>, AdapterModule> } = ADAPTERS;

/** Which module binds the adapter chosen for `port`. */
export function moduleOf<P extends Port>(port: P, choice: AdapterChoice<P>): AdapterModule {
  return MODULES[port][choice];
}

/**
 * Who relays the DynamoDB store's event items to the transport: `pipe`, an EventBridge Pipe on the table's stream
 * outside this process (deploy/cloudformation/events.yaml; the default, and what the Lambda functions use), or
 * `stream`, this process reading the stream itself (a server against DynamoDB Local or a table without the Pipe).
 */
export const EVENT_RELAYS = ['pipe', 'stream'] as const;
export type EventRelayChoice = (typeof EVENT_RELAYS)[number];

/** Where the `stream` relay starts on the shards that exist when it starts (stream-event-relay.ts). */
export const STREAM_STARTS = ['trim-horizon', 'latest'] as const;
export type StreamStartChoice = (typeof STREAM_STARTS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const POLLY_ENGINES = ['neural', 'standard', 'generative', 'long-form'] as const;
export type PollyEngine = (typeof POLLY_ENGINES)[number];

export const COGNITO_TOKEN_USES = ['access', 'id'] as const;
export type CognitoTokenUse = (typeof COGNITO_TOKEN_USES)[number];

export const UNITS = ['metric', 'imperial'] as const satisfies readonly Preferences['units'][];

function keysOf<T extends object>(record: T): (keyof T & string)[] {
  // Object.keys is typed string[]; these records are literal constants, so their keys are exactly keyof T.
  return Object.keys(record) as (keyof T & string)[];
}
