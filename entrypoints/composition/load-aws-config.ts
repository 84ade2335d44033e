import * as Type from 'typebox';
import * as Value from 'typebox/value';
import { ConfigError, loadConfig, type AppConfig } from './config.js';
import { EnvSchema } from './env-schema.js';

/** Where the values come from; `load` gives environment-style keys and is called once per start. */
export interface ConfigSource {
  load(): Promise<Record<string, string>>;
}

export interface ConfigLocations {
  parametersPath?: string;
  secretIds?: Record<string, string>;
}

/** Builds the source for the locations the environment names; tests pass one with clients aimed at a fake. */
export type ConfigSourceFactory = (locations: ConfigLocations) => ConfigSource;

// Imported on first use, so a start without parameter stores never loads the SSM and Secrets Manager clients.
const awsSource: ConfigSourceFactory = (locations) => ({
  async load() {
    const { AwsParametersConfigSource } = await import('../../adapters/aws/aws-parameters-config-source.js');
    return new AwsParametersConfigSource(locations).load();
  },
});

/** The variables naming where stored configuration is; exported for the Lambda bundler, which compiles its check. */
export const LocationSchema = Type.Object({
  CONFIG_PARAMETERS_PATH: EnvSchema.properties.CONFIG_PARAMETERS_PATH,
  CONFIG_SECRET_IDS: EnvSchema.properties.CONFIG_SECRET_IDS,
});

const isVariable = (key: string) => Object.hasOwn(EnvSchema.properties, key) && !key.startsWith('CONFIG_');

/**
 * The aws profile's configuration: the environment, overlaid with the values found under `CONFIG_PARAMETERS_PATH` and
 * in the secrets `CONFIG_SECRET_IDS` names, then validated by the same schema as every other source. Stored values win
 * over the environment, so a deployment changes them without redeploying the function.
 */
export async function loadAwsConfig(
  env: Record<string, string | undefined> = process.env,
  source: ConfigSourceFactory = awsSource,
): Promise<AppConfig> {
  const locations = readLocations(env);
  if (!locations.parametersPath && !locations.secretIds) return loadConfig(env);
  const stored = await source(locations).load();
  const strays = Object.keys(stored).filter((key) => !isVariable(key));
  if (strays.length > 0) {
    throw new ConfigError(
      strays.map(
        (key) =>
          `${key} (read from ${locations.parametersPath ?? 'CONFIG_SECRET_IDS'}): not a variable the assistant reads`,
      ),
    );
  }
  try {
    return loadConfig({ ...env, ...stored });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const secrets = Object.keys(locations.secretIds ?? {}).flatMap((key) =>
      stored[key] ? [JSON.stringify(stored[key])] : [],
    );
    throw new ConfigError(
      error.problems.map((problem) => secrets.reduce((text, quoted) => text.split(quoted).join('[redacted]'), problem)),
    );
  }
}

function readLocations(env: Record<string, string | undefined>): ConfigLocations {
  const raw = Object.fromEntries(
    Object.keys(LocationSchema.properties).flatMap((key) => (env[key] ? [[key, env[key]] as const] : [])),
  );
  const problems = (Value.Check(LocationSchema, raw) ? [] : [...Value.Errors(LocationSchema, raw)]).map((error) => {
    const name = error.instancePath.replace(/^\//, '');
    return `${name}=${JSON.stringify(env[name] ?? '')}: ${error.message}`;
  });
  const secretIds = raw.CONFIG_SECRET_IDS === undefined ? undefined : parseSecretIds(raw.CONFIG_SECRET_IDS, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...(raw.CONFIG_PARAMETERS_PATH && { parametersPath: raw.CONFIG_PARAMETERS_PATH }),
    ...(secretIds && Object.keys(secretIds).length > 0 && { secretIds }),
  };
}

function parseSecretIds(text: string, problems: string[]): Record<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push('CONFIG_SECRET_IDS: not valid JSON; expected {"VARIABLE":"secret-id", ...}');
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    problems.push('CONFIG_SECRET_IDS: expected a JSON object of variable name to secret id');
    return undefined;
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  for (const [key, id] of entries) {
    if (!isVariable(key)) problems.push(`CONFIG_SECRET_IDS: ${key} is not a variable the assistant reads`);
    if (typeof id !== 'string' || id.length === 0)
      problems.push(`CONFIG_SECRET_IDS: the secret id for ${key} must be a non-empty string`);
  }
  return Object.fromEntries(entries.filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
