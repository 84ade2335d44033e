import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../entrypoints/composition/config.js';
import { loadLambdaConfig } from '../../../entrypoints/lambda/shared/lambda-config.js';

const API_ENV = {
  AWS_REGION: 'us-east-1',
  AUTH: 'local',
  AUTH_SECRET: 'x'.repeat(40),
  AWS_LAMBDA_FUNCTION_NAME: 'api',
};

describe('loadLambdaConfig', () => {
  it("defaults to the aws profile with a data directory under /tmp and the assistant's table for idempotency", async () => {
    const config = await loadLambdaConfig({ ...API_ENV, DYNAMODB_TABLE: 'assistant' });
    expect(config).toMatchObject({
      functionName: 'api',
      idempotency: { tableName: 'assistant', ttlSeconds: 604_800 },
      deadlineMarginMs: 500,
    });
    expect(config.app).toMatchObject({
      profile: 'aws',
      dataDir: '/tmp/voice-assistant',
      adapters: { conversationStore: 'dynamodb', events: 'eventbridge' },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lists every adapter the bundles leave out and every bad Lambda variable at once', async () => {
    const loading = loadLambdaConfig({
      AWS_REGION: 'us-east-1',
      CONVERSATION_STORE: 'memory',
      SENTIMENT: 'afinn',
      EVENTS: 'in-process',
      AUTH: 'local',
      DEADLINE_MARGIN_MS: 'soon',
    });
    await expect(loading).rejects.toBeInstanceOf(ConfigError);
    const { problems } = (await loading.catch((error: ConfigError) => error)) as ConfigError;
    expect(problems.map((p) => p.split(/[=: ]/)[0])).toEqual([
      'DEADLINE_MARGIN_MS',
      'CONVERSATION_STORE',
      'SENTIMENT',
      'EVENTS',
      'AUTH_SECRET',
    ]);
  });

  it('lets the event consumer start without the settings of turn adapters it never builds, but not without its topic', async () => {
    const env = { AWS_REGION: 'us-east-1', AUTH: 'cognito', NLU: 'lex', CACHE: 'redis' };
    await expect(loadLambdaConfig(env, { alertTopic: true, runsTurns: false })).rejects.toThrow(
      'ALERT_TOPIC_ARN is required',
    );
    const config = await loadLambdaConfig(
      { ...env, ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts' },
      { alertTopic: true, runsTurns: false },
    );
    expect(config.alertTopicArn).toBe('arn:aws:sns:us-east-1:123456789012:alerts');
    await expect(loadLambdaConfig({ ...env, ALERT_TOPIC_ARN: 'alerts' }, { runsTurns: false })).rejects.toThrow(
      'ALERT_TOPIC_ARN',
    );
  });
});
