import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../entrypoints/config/config.js';

describe('loadConfig', () => {
  it('gives the embedded default from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      profile: 'local',
      server: { host: '127.0.0.1', port: 3000 },
      adapters: { conversationStore: 'sqlite', tts: 'espeak', llm: 'offline' },
      defaults: { language: 'en-US', units: 'metric', timeZone: 'UTC' },
    });
    expect(config.auth.secret).toBeUndefined();
    expect(Object.isFrozen(config.limits)).toBe(true);
  });

  it('converts numbers and picks the OpenAI-compatible model when a base URL is set', () => {
    const config = loadConfig({ PORT: '8080', LLM_BASE_URL: 'http://127.0.0.1:11434', LLM_TEMPERATURE: '0.7' });
    expect(config.server.port).toBe(8080);
    expect(config.adapters.llm).toBe('openai-compatible');
    expect(config.llm.temperature).toBe(0.7);
  });

  it('lists every invalid variable by name and stops', () => {
    const attempt = () =>
      loadConfig({ PORT: '70000', TTS: 'festival', LLM_TEMPERATURE: 'hot', AUTH_SECRET: 'short', LLM_BASE_URL: 'ftp://x' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'TTS', 'LLM_TEMPERATURE', 'AUTH_SECRET', 'LLM_BASE_URL']) expect(problems).toContain(name);
      expect(problems).toContain('AUTH_SECRET=[redacted]');
      expect(problems).not.toContain('short');
    }
  });

  it('rejects a time zone that does not exist and an OpenAI-compatible model without a URL', () => {
    expect(() => loadConfig({ DEFAULT_TIME_ZONE: 'Mars/Olympus' })).toThrow(/DEFAULT_TIME_ZONE/);
    expect(() => loadConfig({ LLM: 'openai-compatible' })).toThrow(/LLM_BASE_URL/);
  });
});
