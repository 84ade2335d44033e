/**
 * loadAwsConfig end to end over the real SDK clients and the in-repo SSM / Secrets Manager fake on 127.0.0.1: the
 * environment names where to look, stored values are merged over it, and the one schema judges the result.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsParametersConfigSource } from '../../adapters/aws/aws-parameters-config-source.js';
import { DependencyUnavailableError } from '../../core/errors.js';
import { ConfigError, loadConfig } from '../../entrypoints/composition/config.js';
import {
  loadAwsConfig,
  type ConfigLocations,
  type ConfigSourceFactory,
} from '../../entrypoints/composition/load-aws-config.js';
import { TEST_AWS_CLIENT_CONFIG } from '../fakes/aws/fake-aws-server.js';
import {
  GET_PARAMETERS_BY_PATH,
  GET_SECRET_VALUE,
  startSsmSecretsFake,
  type SsmSecretsFake,
} from '../fakes/aws/ssm-secrets-fake.js';

let fake: SsmSecretsFake;
let ssmClient: SSMClient;
let secretsClient: SecretsManagerClient;
let requested: ConfigLocations[];

beforeEach(async () => {
  fake = await startSsmSecretsFake();
  ssmClient = new SSMClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: fake.url });
  secretsClient = new SecretsManagerClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: fake.url });
  requested = [];
});

afterEach(async () => {
  ssmClient.destroy();
  secretsClient.destroy();
  await fake.close();
});

const toFake: ConfigSourceFactory = (locations) => {
  requested.push(locations);
  return new AwsParametersConfigSource({ ...locations, ssmClient, secretsClient });
};

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => expect.unreachable('the configuration was accepted'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadAwsConfig', () => {
  it('is loadConfig when the environment names no parameter path and no secrets', async () => {
    const env = { PORT: '8080', LLM_MODEL: 'from-env' };
    await expect(loadAwsConfig(env, toFake)).resolves.toEqual(loadConfig(env));
    expect(requested).toEqual([]);
    expect(fake.server.requests).toHaveLength(0);
  });

  it('merges parameters and secrets over the environment, then validates the whole', async () => {
    // Prepare
    fake.parameters.set('/voice-assistant/prod/llm/model', { value: 'from-parameter-store' });
    fake.parameters.set('/voice-assistant/prod/llm/base-url', { value: 'http://127.0.0.1:11434' });
    fake.parameters.set('/voice-assistant/prod/history-window', { value: '4' });
    fake.secrets.set('voice-assistant/prod/app', {
      string: JSON.stringify({ llmApiKey: 'sk-stored', authSecret: 's'.repeat(40) }),
    });
    const env = {
      CONFIG_PARAMETERS_PATH: '/voice-assistant/prod/',
      CONFIG_SECRET_IDS: JSON.stringify({
        LLM_API_KEY: 'voice-assistant/prod/app#llmApiKey',
        AUTH_SECRET: 'voice-assistant/prod/app#authSecret',
      }),
      LLM_MODEL: 'from-env',
      LLM_TEMPERATURE: '0.9',
    };

    // Act
    const config = await loadAwsConfig(env, toFake);

    // Assess
    expect(requested).toEqual([
      {
        parametersPath: '/voice-assistant/prod/',
        secretIds: {
          LLM_API_KEY: 'voice-assistant/prod/app#llmApiKey',
          AUTH_SECRET: 'voice-assistant/prod/app#authSecret',
        },
      },
    ]);
    expect(config.llm).toMatchObject({
      model: 'from-parameter-store',
      baseUrl: 'http://127.0.0.1:11434',
      apiKey: 'sk-stored',
      temperature: 0.9,
      historyWindow: 4,
    });
    expect(config.auth.secret).toBe('s'.repeat(40));
    expect(fake.calls(GET_PARAMETERS_BY_PATH)).toHaveLength(1);
    expect(fake.calls(GET_SECRET_VALUE)).toHaveLength(1);
  });

  it('lists invalid stored values by variable and never repeats a value that came from a secret', async () => {
    // Prepare
    fake.parameters.set('/assistant/port', { value: '70000' });
    fake.secrets.set('base-url', { string: 'ftp://private-host.internal/with-token' });
    const env = {
      CONFIG_PARAMETERS_PATH: '/assistant',
      CONFIG_SECRET_IDS: JSON.stringify({ LLM_BASE_URL: 'base-url' }),
    };

    // Act
    const error = await configError(loadAwsConfig(env, toFake));

    // Assess
    const problems = error.problems.join('\n');
    expect(problems).toContain('PORT="70000"');
    expect(problems).toContain('LLM_BASE_URL=[redacted]');
    expect(error.message).not.toContain('private-host');
  });

  it('refuses a stored parameter the assistant does not read, so a misspelt name cannot go unnoticed', async () => {
    fake.parameters.set('/assistant/llm/modle', { value: 'typo' });
    const error = await configError(loadAwsConfig({ CONFIG_PARAMETERS_PATH: '/assistant' }, toFake));
    expect(error.problems).toEqual(['LLM_MODLE (read from /assistant): not a variable the assistant reads']);
  });

  it('lists every problem with the two location variables before fetching anything', async () => {
    const error = await configError(
      loadAwsConfig(
        { CONFIG_PARAMETERS_PATH: 'relative/path', CONFIG_SECRET_IDS: '{"NOT_A_VARIABLE":"x","LLM_API_KEY":7}' },
        toFake,
      ),
    );
    const problems = error.problems.join('\n');
    expect(problems).toContain('CONFIG_PARAMETERS_PATH="relative/path"');
    expect(problems).toContain('CONFIG_SECRET_IDS: NOT_A_VARIABLE is not a variable the assistant reads');
    expect(problems).toContain('CONFIG_SECRET_IDS: the secret id for LLM_API_KEY must be a non-empty string');
    await expect(configError(loadAwsConfig({ CONFIG_SECRET_IDS: '{not json' }, toFake))).resolves.toMatchObject({
      problems: [expect.stringContaining('not valid JSON')],
    });
    await expect(configError(loadAwsConfig({ CONFIG_SECRET_IDS: '["LLM_API_KEY"]' }, toFake))).resolves.toBeInstanceOf(
      ConfigError,
    );
    expect(requested).toEqual([]);
  });

  it('lets a store outage through as DependencyUnavailableError, so the start fails and can be retried', async () => {
    fake.fail(GET_PARAMETERS_BY_PATH, { status: 400, errorType: 'ThrottlingException', message: 'Rate exceeded' });
    await expect(loadAwsConfig({ CONFIG_PARAMETERS_PATH: '/assistant' }, toFake)).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
  });
});
