import { GetParameterError } from '@aws-lambda-powertools/parameters/errors';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { DependencyUnavailableError, ValidationError } from '../../core/errors.js';

export interface AwsParametersConfigSourceOptions {
  /** A Parameter Store hierarchy such as `/voice-assistant/prod/`; read recursively, SecureStrings decrypted. */
  parametersPath?: string;
  /**
   * Environment key to Secrets Manager secret: `{ LLM_API_KEY: 'voice-assistant/prod/llm' }` takes the whole secret
   * string; `{ LLM_API_KEY: 'voice-assistant/prod/app#llmApiKey' }` parses the secret as JSON and takes one field.
   */
  secretIds?: Record<string, string>;
  ssmClient?: SSMClient;
  secretsClient?: SecretsManagerClient;
  /** How long values stay cached between loads; config changes rarely, so the default is five minutes. */
  maxAgeSeconds?: number;
}

const NAME = 'AwsParametersConfigSource';
const DEFAULT_MAX_AGE_SECONDS = 300;
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'TooManyUpdates',
]);

/**
 * Maps a parameter's name below the path to the environment key it sets: camelCase humps and every run of characters
 * other than letters and digits become one underscore, then everything is upper-cased. So, under `/voice-assistant/prod/`,
 * `llm/model` gives `LLM_MODEL`, `weather/timeout-ms` gives `WEATHER_TIMEOUT_MS`, `llm/maxTokens` gives `LLM_MAX_TOKENS`,
 * and a parameter already named `LLM_MODEL` keeps its name.
 */
export function envKeyOf(relativeName: string): string {
  return relativeName
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
}

/**
 * Reads the assistant's configuration from Parameter Store and Secrets Manager through Powertools' Parameters
 * utility (hence the name: it covers both stores), as environment-style keys the composition root merges over
 * `process.env` before the one config schema validates them all. A secret's key wins over a parameter's.
 */
export class AwsParametersConfigSource {
  private readonly parametersPath: string | undefined;
  private readonly secretIds: Readonly<Record<string, string>>;
  private readonly maxAge: number;
  private readonly ssm: SSMProvider | undefined;
  private readonly secrets: SecretsProvider | undefined;

  constructor(options: AwsParametersConfigSourceOptions = {}) {
    const path = options.parametersPath;
    if (path !== undefined && !path.startsWith('/'))
      throw new ValidationError(`${NAME}: parametersPath must start with "/"`);
    // GetParametersByPath names the hierarchy without its trailing slash.
    this.parametersPath = path && path.length > 1 ? path.replace(/\/+$/, '') : path;
    this.secretIds = { ...options.secretIds };
    for (const [key, ref] of Object.entries(this.secretIds)) {
      if (envKeyOf(key) !== key || !ref)
        throw new ValidationError(`${NAME}: secretIds needs an UPPER_SNAKE key and a secret id, got ${key}`);
    }
    const maxAge = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
    if (!Number.isFinite(maxAge) || maxAge < 0)
      throw new ValidationError(`${NAME}: maxAgeSeconds must be a non-negative number`);
    this.maxAge = maxAge;
    // A provider builds its default client at once, so one is made only for a store that will be read.
    this.ssm = this.parametersPath
      ? new SSMProvider(options.ssmClient ? { awsSdkV3Client: options.ssmClient } : {})
      : undefined;
    this.secrets =
      Object.keys(this.secretIds).length > 0
        ? new SecretsProvider(options.secretsClient ? { awsSdkV3Client: options.secretsClient } : {})
        : undefined;
  }

  /** Every configured value as `ENV_KEY -> value`; a path with no parameters gives no keys rather than an error. */
  async load(): Promise<Record<string, string>> {
    const [fromParameters, fromSecrets] = await Promise.all([this.loadParameters(), this.loadSecrets()]);
    return { ...fromParameters, ...fromSecrets };
  }

  private async loadParameters(): Promise<Record<string, string>> {
    const path = this.parametersPath;
    if (!this.ssm || !path) return {};
    let values: Record<string, unknown> | undefined;
    try {
      values = await this.ssm.getMultiple(path, { recursive: true, decrypt: true, maxAge: this.maxAge });
    } catch (error) {
      throw unavailable(`cannot read the parameters under ${path}`, error);
    }
    const result: Record<string, string> = {};
    const source = new Map<string, string>();
    for (const [name, value] of Object.entries(values ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      const key = envKeyOf(name);
      if (typeof value !== 'string' || key === '') continue;
      const earlier = source.get(key);
      if (earlier !== undefined)
        throw new ValidationError(`${NAME}: parameters ${earlier} and ${name} under ${path} both set ${key}`);
      source.set(key, name);
      result[key] = value;
    }
    return result;
  }

  private async loadSecrets(): Promise<Record<string, string>> {
    // Powertools caches a value once it arrives, so two fields of one secret requested together would fetch it twice.
    const reads = new Map<string, Promise<unknown>>();
    const read = (key: string, secretId: string, json: boolean) => {
      const id = `${json ? 'json' : 'text'}:${secretId}`;
      if (!reads.has(id)) reads.set(id, this.fetchSecret(key, secretId, json));
      return reads.get(id) as Promise<unknown>;
    };
    const entries = await Promise.all(
      Object.entries(this.secretIds).map(async ([key, ref]) => {
        const hash = ref.indexOf('#');
        const secretId = hash === -1 ? ref : ref.slice(0, hash);
        const field = hash === -1 ? undefined : ref.slice(hash + 1);
        return [key, pick(await read(key, secretId, field !== undefined), { key, secretId, field })] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  private async fetchSecret(key: string, secretId: string, json: boolean): Promise<unknown> {
    const provider = this.secrets as SecretsProvider;
    try {
      const value = json
        ? await provider.get(secretId, { maxAge: this.maxAge, transform: 'json' })
        : await provider.get(secretId, { maxAge: this.maxAge });
      return value instanceof Uint8Array ? new TextDecoder().decode(value) : value;
    } catch (error) {
      if (error instanceof GetParameterError) throw unavailable(`cannot read secret ${secretId} for ${key}`, error);
      // A failed JSON parse quotes the text it choked on, and that text is the secret: neither message nor cause is kept.
      throw new ValidationError(`${NAME}: secret ${secretId} for ${key} is not a JSON object`);
    }
  }
}

function pick(
  value: unknown,
  { key, secretId, field }: { key: string; secretId: string; field: string | undefined },
): string {
  if (field === undefined) {
    if (typeof value !== 'string') throw new ValidationError(`${NAME}: secret ${secretId} for ${key} has no value`);
    return value;
  }
  const picked = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined;
  if (typeof picked === 'string' || typeof picked === 'number' || typeof picked === 'boolean') return String(picked);
  throw new ValidationError(`${NAME}: secret ${secretId} has no text field "${field}" for ${key}`);
}

/** Throttling, server faults and lost connections pass; access denied and missing secrets need someone to act. */
function unavailable(what: string, error: unknown): DependencyUnavailableError {
  const cause = error instanceof GetParameterError && error.cause !== undefined ? error.cause : error;
  const sdk = (cause ?? {}) as {
    name?: string;
    $fault?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const name = typeof sdk.name === 'string' ? sdk.name : 'Error';
  const status = sdk.$metadata?.httpStatusCode;
  const answered = status !== undefined;
  const retryable =
    !answered ||
    status >= 500 ||
    status === 429 ||
    sdk.$fault === 'server' ||
    Boolean(sdk.$retryable) ||
    THROTTLING.has(name);
  return new DependencyUnavailableError(NAME, `${what}: ${name}`, retryable ? { cause } : { cause, retryable: false });
}
