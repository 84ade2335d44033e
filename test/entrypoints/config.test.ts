import type { TSchema } from 'typebox';
import * as Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { admitsOnlyStrings, ConfigError, loadConfig } from '../../entrypoints/composition/config.js';
import { EnvSchema } from '../../entrypoints/composition/env-schema.js';

describe('loadConfig', () => {
  it('gives the embedded default from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      profile: 'local',
      server: { host: '127.0.0.1', port: 3000 },
      adapters: {
        conversationStore: 'sqlite',
        nlu: 'nlpjs',
        llm: 'offline',
        tts: 'espeak',
        stt: 'pocketsphinx',
        sentiment: 'afinn',
        events: 'none',
        cache: 'memory',
        auth: 'local',
      },
      defaults: { language: 'en-US', units: 'metric', timeZone: 'UTC' },
    });
    expect(config.auth.secret).toBeUndefined();
    expect(Object.isFrozen(config.limits)).toBe(true);
  });

  it('takes a string-only variable as it is only where Value.Convert would leave it unchanged', () => {
    const samples = [
      '',
      ' ',
      'x',
      'true',
      'TRUE',
      'false',
      '1',
      '0',
      '-1',
      '1.5',
      '1e3',
      'null',
      ' 12 ',
      '0x10',
      'NaN',
    ];
    const variables = Object.entries(EnvSchema.properties as Record<string, TSchema>);
    const stringOnly = variables.filter(([, schema]) => admitsOnlyStrings(schema));
    expect(stringOnly.length).toBeGreaterThan(variables.length / 2);
    for (const [key, schema] of stringOnly) {
      const choices = ((schema as { enum?: string[] }).enum ?? []).slice(0, 3);
      for (const value of [...samples, ...choices]) expect(Value.Convert(schema, value), key).toBe(value);
    }
    // The numeric ones are still converted.
    expect(variables.filter(([, schema]) => !admitsOnlyStrings(schema)).map(([key]) => key)).toContain('PORT');
  });

  it('converts numbers and picks the OpenAI-compatible model when a base URL is set', () => {
    const config = loadConfig({ PORT: '8080', LLM_BASE_URL: 'http://127.0.0.1:11434', LLM_TEMPERATURE: '0.7' });
    expect(config.server.port).toBe(8080);
    expect(config.adapters.llm).toBe('openai-compatible');
    expect(config.llm.temperature).toBe(0.7);
  });

  it('lists every invalid variable by name and stops', () => {
    const attempt = () =>
      loadConfig({
        PORT: '70000',
        TTS: 'festival',
        LLM_TEMPERATURE: 'hot',
        AUTH_SECRET: 'short',
        LLM_BASE_URL: 'ftp://x',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'TTS', 'LLM_TEMPERATURE', 'AUTH_SECRET', 'LLM_BASE_URL'])
        expect(problems).toContain(name);
      expect(problems).toContain('AUTH_SECRET=[redacted]');
      expect(problems).not.toContain('short');
    }
  });

  it('defaults every port to its AWS adapter in the aws profile, and names what each one still needs', () => {
    const attempt = () => loadConfig({ ASSISTANT_PROFILE: 'aws' });
    expect(attempt).toThrow(ConfigError);
    const problems = (() => {
      try {
        attempt();
        return '';
      } catch (error) {
        return (error as ConfigError).problems.join('\n');
      }
    })();
    expect(problems).toContain('COGNITO_USER_POOL_ID is required for AUTH=cognito');
    expect(problems).toContain('AWS_REGION is required for the AWS adapters');
    const config = loadConfig({
      ASSISTANT_PROFILE: 'aws',
      AWS_REGION: 'eu-west-1',
      COGNITO_USER_POOL_ID: 'eu-west-1_Abc123',
      COGNITO_CLIENT_ID: 'client',
    });
    expect(config.adapters).toEqual({
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
    });
  });

  it('lets one port override the profile default', () => {
    const config = loadConfig({ CONVERSATION_STORE: 'dynamodb', AWS_REGION: 'us-east-1' });
    expect(config.adapters.conversationStore).toBe('dynamodb');
    expect(config.adapters.tts).toBe('espeak');
    expect(() => loadConfig({ NLU: 'lex', AWS_REGION: 'us-east-1' })).toThrow(/LEX_BOT_ID is required/);
  });

  it('rejects a time zone that does not exist and an OpenAI-compatible model without a URL', () => {
    expect(() => loadConfig({ DEFAULT_TIME_ZONE: 'Mars/Olympus' })).toThrow(/DEFAULT_TIME_ZONE/);
    expect(() => loadConfig({ LLM: 'openai-compatible' })).toThrow(/LLM_BASE_URL/);
  });

  it('keeps audio in S3 once a bucket is named, and runs voice turns through a workflow only with it', () => {
    const base = { AWS_REGION: 'us-east-1' };
    expect(loadConfig(base).adapters.audioStore).toBe('memory');
    const s3 = loadConfig({ ...base, AUDIO_BUCKET: 'assistant-audio' });
    expect(s3.adapters.audioStore).toBe('s3');
    expect(s3.aws.audio).toEqual({ bucket: 'assistant-audio', prefix: 'audio/' });
    expect(() => loadConfig({ ...base, AUDIO_STORE: 's3' })).toThrow(/AUDIO_BUCKET is required/);
    const arn = 'arn:aws:states:us-east-1:123456789012:stateMachine:assistant-turn';
    expect(() => loadConfig({ ...base, WORKFLOW_STATE_MACHINE_ARN: arn })).toThrow(
      /WORKFLOW_STATE_MACHINE_ARN needs AUDIO_STORE=s3/,
    );
    expect(
      loadConfig({ ...base, AUDIO_BUCKET: 'assistant-audio', WORKFLOW_STATE_MACHINE_ARN: arn }).aws.workflow,
    ).toEqual({ stateMachineArn: arn });
    expect(() => loadConfig({ ...base, WORKFLOW_STATE_MACHINE_ARN: 'arn:aws:lambda:us-east-1:1:function:x' })).toThrow(
      /WORKFLOW_STATE_MACHINE_ARN/,
    );
  });
});
