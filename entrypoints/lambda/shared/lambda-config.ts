import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import * as Type from 'typebox';
import type { Static } from 'typebox';
import * as Value from 'typebox/value';
import { ConfigError, type AppConfig } from '../../composition/config.js';
import { loadAwsConfig, type ConfigLocations, type ConfigSourceFactory } from '../../composition/load-aws-config.js';
import { captureWith, loadTracer, type CaptureClient } from './tracing.js';

/** Variables only the Lambda functions read, beside the assistant's own (env-schema.ts); exported for the bundler. */
export const LambdaEnvSchema = Type.Object({
  /** Table of the event consumer's idempotency records; default the assistant's table (DYNAMODB_TABLE). */
  IDEMPOTENCY_TABLE: Type.Optional(Type.String({ minLength: 3, maxLength: 255, pattern: '^[A-Za-z0-9_.-]+$' })),
  /** How long an event id is remembered as processed; longer than SQS keeps a message (4 days by default). */
  IDEMPOTENCY_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 30 * 86_400, default: 7 * 86_400 }),
  /** SNS topic the event consumer raises alerts on. */
  ALERT_TOPIC_ARN: Type.Optional(
    Type.String({ pattern: '^arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,256}$' }),
  ),
  /** How long before the invocation's deadline the API answers 504 itself rather than being cut off. */
  DEADLINE_MARGIN_MS: Type.Integer({ minimum: 0, maximum: 10_000, default: 500 }),
  AWS_LAMBDA_FUNCTION_NAME: Type.String({ minLength: 1, default: 'voice-assistant' }),
});

export interface LambdaConfig {
  app: AppConfig;
  functionName: string;
  idempotency: { tableName: string; ttlSeconds: number };
  alertTopicArn?: string;
  deadlineMarginMs: number;
}

/** Where a function writes caches (the NLU model); the deployment package is read-only, /tmp is not. */
const LAMBDA_DATA_DIR = '/tmp/voice-assistant';

export interface LambdaConfigNeeds {
  /** The event consumer cannot run without its alert topic. */
  alertTopic?: boolean;
  /**
   * Whether the function runs turns (binds the turn's ports); default true. One that does not (the event consumer)
   * must not fail its init over the settings of adapters it never builds (Cognito, Lex, Redis), so its selection is
   * pinned to ones that need none.
   */
  runsTurns?: boolean;
  /** Workflow tasks run in separate functions: the audio a turn record names must be where every one can read it. */
  sharedAudio?: boolean;
}

/** The selection of a function that builds none of the turn's adapters: none of these needs a setting. */
const NO_TURN_PORTS = {
  CONVERSATION_STORE: 'dynamodb',
  NLU: 'nlpjs',
  LLM: 'offline',
  TTS: 'none',
  STT: 'none',
  SENTIMENT: 'none',
  EVENTS: 'eventbridge',
  CACHE: 'memory',
  AUTH: 'local',
};

/**
 * The function's configuration, read once at init: the assistant's own (with Parameter Store and Secrets Manager
 * overlays) plus the Lambda-only variables, then checked for adapters a Lambda bundle does not carry. Every problem is
 * listed and the init fails, so a bad deployment never takes a first request.
 */
export async function loadLambdaConfig(
  env: Record<string, string | undefined> = process.env,
  needs: LambdaConfigNeeds = {},
  source?: ConfigSourceFactory,
): Promise<LambdaConfig> {
  const runsTurns = needs.runsTurns ?? true;
  const withDefaults = {
    DATA_DIR: LAMBDA_DATA_DIR,
    ASSISTANT_PROFILE: 'aws',
    ...definedOnly(env),
    ...(runsTurns ? {} : NO_TURN_PORTS),
  };
  const app = await loadAwsConfig(withDefaults, source ?? tracedParameterStores());
  const raw = Object.fromEntries(
    Object.keys(LambdaEnvSchema.properties).flatMap((key) => (env[key] ? [[key, env[key]]] : [])),
  );
  const lambda = Value.Default(LambdaEnvSchema, Value.Convert(LambdaEnvSchema, raw)) as Static<typeof LambdaEnvSchema>;
  const problems = (Value.Check(LambdaEnvSchema, lambda) ? [] : [...Value.Errors(LambdaEnvSchema, lambda)]).map(
    (error) => {
      const name = error.instancePath.replace(/^\//, '');
      return `${name}=${JSON.stringify(env[name] ?? '')}: ${error.message}`;
    },
  );
  if (runsTurns) problems.push(...unavailableOnLambda(app));
  if (needs.sharedAudio && app.adapters.audioStore !== 's3') {
    problems.push('AUDIO_BUCKET (AUDIO_STORE=s3) is required by the workflow tasks: each runs in its own function');
  }
  if (needs.alertTopic && !lambda.ALERT_TOPIC_ARN) problems.push('ALERT_TOPIC_ARN is required by the event consumer');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    app,
    functionName: lambda.AWS_LAMBDA_FUNCTION_NAME,
    idempotency: Object.freeze({
      tableName: lambda.IDEMPOTENCY_TABLE ?? app.aws.tableName,
      ttlSeconds: lambda.IDEMPOTENCY_TTL_SECONDS,
    }),
    ...(lambda.ALERT_TOPIC_ARN && { alertTopicArn: lambda.ALERT_TOPIC_ARN }),
    deadlineMarginMs: lambda.DEADLINE_MARGIN_MS,
  });
}

/**
 * Parameter Store and Secrets Manager, each read through a client of its own that the tracer captures when the
 * function traces; imported and created only when the environment names a store.
 */
function tracedParameterStores(): ConfigSourceFactory {
  return (locations) => ({
    async load() {
      const [{ AwsParametersConfigSource }, capture] = await Promise.all([
        import('../../../adapters/aws/aws-parameters-config-source.js'),
        loadTracer({ captureHTTPsRequests: false }).then(captureWith),
      ]);
      return new AwsParametersConfigSource({
        ...locations,
        ...(await parameterStoreClients(locations, capture)),
      }).load();
    },
  });
}

/** The SDK clients of the stores `locations` names (none for a store it does not name), each through `capture`. */
export async function parameterStoreClients(
  locations: ConfigLocations,
  capture: CaptureClient,
): Promise<{ ssmClient?: SSMClient; secretsClient?: SecretsManagerClient }> {
  const [ssmClient, secretsClient] = await Promise.all([
    locations.parametersPath
      ? import('@aws-sdk/client-ssm').then(({ SSMClient }) => capture(new SSMClient({})))
      : undefined,
    locations.secretIds
      ? import('@aws-sdk/client-secrets-manager').then(({ SecretsManagerClient }) =>
          capture(new SecretsManagerClient({})),
        )
      : undefined,
  ]);
  return { ...(ssmClient && { ssmClient }), ...(secretsClient && { secretsClient }) };
}

/** Adapters left out of the Lambda bundles on purpose: native or GPL code, or state that dies with the instance. */
function unavailableOnLambda(config: AppConfig): string[] {
  const { adapters } = config;
  const problems: string[] = [];
  if (adapters.conversationStore !== 'dynamodb') {
    problems.push(
      `CONVERSATION_STORE=${adapters.conversationStore}: not available on Lambda (state would die with the instance); use dynamodb`,
    );
  }
  if (adapters.tts === 'espeak')
    problems.push('TTS=espeak: not available on Lambda (eSpeak is not bundled); use polly or none');
  if (adapters.sentiment === 'afinn')
    problems.push(
      'SENTIMENT=afinn: not available on Lambda (its word lists load from its package folder); use comprehend or none',
    );
  if (adapters.events === 'in-process')
    problems.push('EVENTS=in-process: not available on Lambda (no one would receive them); use eventbridge');
  if (adapters.auth === 'local' && !config.auth.secret)
    problems.push('AUTH_SECRET is required for AUTH=local on Lambda (nothing can be generated into a data directory)');
  return problems;
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
}
