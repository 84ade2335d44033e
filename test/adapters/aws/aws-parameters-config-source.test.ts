/**
 * AwsParametersConfigSource over the real SSM and Secrets Manager clients (through Powertools Parameters), talking
 * awsJson 1.1 to an in-repo fake on 127.0.0.1: what goes over the wire, pagination, decryption, caching, the JSON
 * secret transform and the mapping of service errors.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AwsParametersConfigSource,
  envKeyOf,
  type AwsParametersConfigSourceOptions,
} from '../../../adapters/aws/aws-parameters-config-source.js';
import { DependencyUnavailableError, ErrorCodes, ValidationError } from '../../../core/errors.js';
import { TEST_AWS_CLIENT_CONFIG } from '../../fakes/aws/fake-aws-server.js';
import {
  GET_PARAMETERS_BY_PATH,
  GET_SECRET_VALUE,
  startSsmSecretsFake,
  type SsmSecretsFake,
} from '../../fakes/aws/ssm-secrets-fake.js';

const PATH = '/voice-assistant/prod/';

let fake: SsmSecretsFake;
let ssmClient: SSMClient;
let secretsClient: SecretsManagerClient;

beforeEach(async () => {
  fake = await startSsmSecretsFake();
  ssmClient = new SSMClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: fake.url });
  secretsClient = new SecretsManagerClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: fake.url });
});

afterEach(async () => {
  vi.useRealTimers();
  ssmClient.destroy();
  secretsClient.destroy();
  await fake.close();
});

const source = (options: AwsParametersConfigSourceOptions) =>
  new AwsParametersConfigSource({ ssmClient, secretsClient, ...options });

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.unreachable('the load succeeded'),
    (error: unknown) => error as Error,
  );
}

describe('envKeyOf', () => {
  it.each([
    ['llm/model', 'LLM_MODEL'],
    ['weather/timeout-ms', 'WEATHER_TIMEOUT_MS'],
    ['llm/maxTokens', 'LLM_MAX_TOKENS'],
    ['LLM_MODEL', 'LLM_MODEL'],
    ['nlu/confidence.threshold', 'NLU_CONFIDENCE_THRESHOLD'],
    ['/auth//secret/', 'AUTH_SECRET'],
  ])('maps %s to %s', (name, key) => {
    expect(envKeyOf(name)).toBe(key);
  });
});

describe('AwsParametersConfigSource', () => {
  it('reads the hierarchy recursively with decryption and maps each name below the path to an environment key', async () => {
    // Prepare
    fake.parameters.set('/voice-assistant/prod/llm/model', { value: 'claude-haiku' });
    fake.parameters.set('/voice-assistant/prod/llm/api-key', { value: 'sk-very-secret', type: 'SecureString' });
    fake.parameters.set('/voice-assistant/prod/weather/timeout-ms', { value: '2500' });
    fake.parameters.set('/voice-assistant/staging/llm/model', { value: 'not-this-one' });
    fake.parameters.set('/voice-assistant/production/llm/model', { value: 'nor-this-one' });

    // Act
    const values = await source({ parametersPath: PATH }).load();

    // Assess
    expect(values).toEqual({ LLM_MODEL: 'claude-haiku', LLM_API_KEY: 'sk-very-secret', WEATHER_TIMEOUT_MS: '2500' });
    const [request] = fake.calls(GET_PARAMETERS_BY_PATH);
    expect(request?.json()).toMatchObject({ Path: '/voice-assistant/prod', Recursive: true, WithDecryption: true });
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d+\/us-east-1\/ssm\/aws4_request/,
    );
  });

  it('follows NextToken through every page', async () => {
    // Prepare
    fake.pageSize = 2;
    for (const name of ['a', 'b', 'c', 'd', 'e'])
      fake.parameters.set(`/voice-assistant/prod/${name}/value`, { value: name });

    // Act
    const values = await source({ parametersPath: PATH }).load();

    // Assess
    expect(values).toEqual({ A_VALUE: 'a', B_VALUE: 'b', C_VALUE: 'c', D_VALUE: 'd', E_VALUE: 'e' });
    const calls = fake.calls(GET_PARAMETERS_BY_PATH).map((request) => request.json() as { NextToken?: string });
    expect(calls).toHaveLength(3);
    expect(calls[0]?.NextToken).toBeUndefined();
    expect(calls[1]?.NextToken).toEqual(expect.any(String));
    expect(calls[2]?.NextToken).toEqual(expect.any(String));
    expect(calls[2]?.NextToken).not.toBe(calls[1]?.NextToken);
  });

  it('gives no keys, and no error, for a path that holds no parameters', async () => {
    await expect(source({ parametersPath: '/voice-assistant/nowhere' }).load()).resolves.toEqual({});
    expect(fake.calls(GET_PARAMETERS_BY_PATH)).toHaveLength(1);
  });

  it('reads plain secrets whole and JSON secrets by field, fetching each secret once', async () => {
    // Prepare
    fake.secrets.set('voice-assistant/prod/llm', { string: 'sk-from-secrets-manager' });
    fake.secrets.set('voice-assistant/prod/app', {
      string: JSON.stringify({ authSecret: 'x'.repeat(40), port: 8443 }),
    });
    fake.secrets.set('voice-assistant/prod/binary', { binary: new TextEncoder().encode('claude-sonnet') });

    // Act
    const values = await source({
      secretIds: {
        LLM_API_KEY: 'voice-assistant/prod/llm',
        AUTH_SECRET: 'voice-assistant/prod/app#authSecret',
        PORT: 'voice-assistant/prod/app#port',
        LLM_MODEL: 'voice-assistant/prod/binary',
      },
    }).load();

    // Assess
    expect(values).toEqual({
      LLM_API_KEY: 'sk-from-secrets-manager',
      AUTH_SECRET: 'x'.repeat(40),
      PORT: '8443',
      LLM_MODEL: 'claude-sonnet',
    });
    const ids = fake.calls(GET_SECRET_VALUE).map((request) => (request.json() as { SecretId: string }).SecretId);
    expect(ids.sort()).toEqual(['voice-assistant/prod/app', 'voice-assistant/prod/binary', 'voice-assistant/prod/llm']);
  });

  it('lets a secret win over a parameter that sets the same key', async () => {
    fake.parameters.set('/voice-assistant/prod/llm/api-key', { value: 'from-parameter', type: 'SecureString' });
    fake.secrets.set('llm', { string: 'from-secret' });
    await expect(source({ parametersPath: PATH, secretIds: { LLM_API_KEY: 'llm' } }).load()).resolves.toEqual({
      LLM_API_KEY: 'from-secret',
    });
  });

  it('serves a second load within maxAge from its cache, and fetches again once it has passed', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['Date'] });
    fake.parameters.set('/voice-assistant/prod/llm/model', { value: 'first' });
    fake.secrets.set('llm', { string: 'sk-1' });
    const config = source({ parametersPath: PATH, secretIds: { LLM_API_KEY: 'llm' }, maxAgeSeconds: 60 });
    await config.load();
    fake.parameters.set('/voice-assistant/prod/llm/model', { value: 'second' });

    // Act
    const cached = await config.load();
    vi.setSystemTime(Date.now() + 61_000);
    const refreshed = await config.load();

    // Assess
    expect(cached).toEqual({ LLM_MODEL: 'first', LLM_API_KEY: 'sk-1' });
    expect(refreshed).toEqual({ LLM_MODEL: 'second', LLM_API_KEY: 'sk-1' });
    expect(fake.calls(GET_PARAMETERS_BY_PATH)).toHaveLength(2);
    expect(fake.calls(GET_SECRET_VALUE)).toHaveLength(2);
  });

  it('does not cache at all with maxAgeSeconds 0', async () => {
    fake.secrets.set('llm', { string: 'sk-1' });
    const config = source({ secretIds: { LLM_API_KEY: 'llm' }, maxAgeSeconds: 0 });
    await config.load();
    await config.load();
    expect(fake.calls(GET_SECRET_VALUE)).toHaveLength(2);
  });

  it('maps access denied on the path to a non-retryable DependencyUnavailableError naming the path', async () => {
    // Prepare
    fake.fail(GET_PARAMETERS_BY_PATH, {
      status: 400,
      errorType: 'AccessDeniedException',
      message: 'User is not authorized to perform ssm:GetParametersByPath',
    });

    // Act
    const error = await failure(source({ parametersPath: PATH }).load());

    // Assess
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ code: ErrorCodes.DEPENDENCY_UNAVAILABLE, retryable: false });
    expect(error.message).toBe(
      'AwsParametersConfigSource: cannot read the parameters under /voice-assistant/prod: AccessDeniedException',
    );
    expect((error.cause as Error).name).toBe('AccessDeniedException');
  });

  it('maps throttling and server faults to retryable errors', async () => {
    fake.fail(GET_PARAMETERS_BY_PATH, { status: 400, errorType: 'ThrottlingException', message: 'Rate exceeded' });
    await expect(failure(source({ parametersPath: PATH }).load())).resolves.toMatchObject({
      retryable: true,
      retryAfterSeconds: 1,
    });

    fake.fail(GET_SECRET_VALUE, { status: 500, errorType: 'InternalServiceError', message: 'boom' });
    const error = await failure(source({ secretIds: { LLM_API_KEY: 'llm' } }).load());
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toContain('cannot read secret llm for LLM_API_KEY');
  });

  it('maps a secret that does not exist to a non-retryable error naming it', async () => {
    const error = await failure(source({ secretIds: { LLM_API_KEY: 'voice-assistant/prod/missing' } }).load());
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ retryable: false });
    expect(error.message).toBe(
      'AwsParametersConfigSource: cannot read secret voice-assistant/prod/missing for LLM_API_KEY: ResourceNotFoundException',
    );
  });

  it('maps an unreachable endpoint to a retryable error', async () => {
    await fake.close();
    const error = await failure(source({ parametersPath: PATH }).load());
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ retryable: true });
  });

  it('rejects a JSON secret that does not parse without repeating any of its text', async () => {
    // Prepare
    const value = 'hunter2-not-json';
    fake.secrets.set('app', { string: value });

    // Act
    const error = await failure(source({ secretIds: { AUTH_SECRET: 'app#authSecret' } }).load());

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('AwsParametersConfigSource: secret app for AUTH_SECRET is not a JSON object');
    expect(JSON.stringify({ message: error.message, cause: String(error.cause), stack: error.stack })).not.toContain(
      'hunter2',
    );
  });

  it('rejects a JSON secret without the named field', async () => {
    fake.secrets.set('app', { string: JSON.stringify({ other: 'x', nested: { authSecret: 'y' } }) });
    await expect(source({ secretIds: { AUTH_SECRET: 'app#authSecret' } }).load()).rejects.toThrow(
      /no text field "authSecret"/,
    );
    await expect(source({ secretIds: { AUTH_SECRET: 'app#nested' } }).load()).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses two parameters that set the same key', async () => {
    fake.parameters.set('/voice-assistant/prod/llm/model', { value: 'a' });
    fake.parameters.set('/voice-assistant/prod/LLM_MODEL', { value: 'b' });
    await expect(source({ parametersPath: PATH }).load()).rejects.toThrow(
      /LLM_MODEL and llm\/model under \/voice-assistant\/prod both set LLM_MODEL/,
    );
  });

  it('refuses options that cannot work, and calls nothing when nothing is configured', async () => {
    expect(() => source({ parametersPath: 'voice-assistant/prod' })).toThrow(ValidationError);
    expect(() => source({ secretIds: { 'llm-api-key': 'llm' } })).toThrow(ValidationError);
    expect(() => source({ maxAgeSeconds: -1 })).toThrow(ValidationError);
    await expect(source({}).load()).resolves.toEqual({});
    expect(fake.server.requests).toHaveLength(0);
  });
});
