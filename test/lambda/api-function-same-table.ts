import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../entrypoints/composition/config.js';
import { composeAssistant, type Assistant } from '../../entrypoints/composition/container.js';
import { createLogger } from '../../entrypoints/composition/logger.js';
import { buildApp } from '../../entrypoints/http/app.js';
import { appOptionsFor } from '../../entrypoints/http/app-options.js';
import type { HttpCall } from '../fakes/lambda/api-gateway-events.js';

/** What the API function's suite has running, read once its `beforeAll` is done. */
export interface DeployedApi {
  /** The AWS stand-ins' endpoints, as environment variables. */
  endpoints: Record<string, string>;
  tableName: string;
  weatherUrl: string;
  /** The HS256 secret the function signs and checks tokens with. */
  authSecret: string;
  bearer(userId: string): Promise<Record<string, string>>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads its own response shape
  call(shape: 'rest' | 'http', request: HttpCall): Promise<{ status: number; json: any }>;
}

/**
 * The API function's cases with the Fastify server composed on the same DynamoDB table: one conversation across both
 * entrypoints. Registered inside the API function's describe, which runs the function and its stand-ins.
 */
export function describeSameTableCases(lambda: () => DeployedApi): void {
  describe('with the Fastify server on the same table', () => {
    let dataDir: string;
    let server: Assistant;

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'assistant-cross-'));
      vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret');
      for (const [key, value] of Object.entries(lambda().endpoints)) vi.stubEnv(key, value);
      server = await composeAssistant(
        loadConfig({
          ASSISTANT_PROFILE: 'aws',
          AWS_REGION: 'us-east-1',
          DYNAMODB_TABLE: lambda().tableName,
          EVENT_BUS_NAME: 'assistant-bus',
          AUTH: 'local',
          AUTH_SECRET: lambda().authSecret,
          STT: 'none',
          DATA_DIR: dataDir,
          LOG_LEVEL: 'silent',
          WEATHER_GEOCODING_URL: lambda().weatherUrl,
          WEATHER_FORECAST_URL: lambda().weatherUrl,
        }),
        { logger: createLogger('silent') },
      );
    }, 60_000);

    afterAll(async () => {
      await server?.close();
      vi.unstubAllEnvs();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('continues on the Lambda API a conversation started on the server, and both see the whole history', async () => {
      // Prepare
      const app = await buildApp({ ...appOptionsFor(server), rateLimit: false });
      const headers = await lambda().bearer('ivan');
      const onServer = async (method: 'GET' | 'POST', url: string, payload?: object) =>
        (await app.inject({ method, url, headers, ...(payload && { payload }) })).json();

      // Act: the server asks for the city; the function gets the answer and must resume the pending slot
      const { id } = await onServer('POST', '/v1/conversations', {});
      const asked = await onServer('POST', `/v1/conversations/${id}/turns`, { text: "what's the weather" });
      const answered = await lambda().call('rest', {
        method: 'POST',
        url: `/v1/conversations/${id}/turns`,
        headers,
        body: { text: 'Tokyo' },
      });
      const again = await onServer('POST', `/v1/conversations/${id}/turns`, { text: 'thanks' });
      const viaLambda = await lambda().call('http', {
        method: 'GET',
        url: `/v1/conversations/${id}/turns?limit=50`,
        headers,
      });
      const viaServer = await onServer('GET', `/v1/conversations/${id}/turns?limit=50`);
      await app.close();

      // Assess
      expect(asked).toMatchObject({ route: 'ask', text: 'For which city?' });
      expect(answered.json).toMatchObject({ skill: 'weather', slots: { city: 'Tokyo' } });
      expect(again).toMatchObject({ skill: 'small-talk' });
      expect(viaLambda.json.items).toHaveLength(6);
      expect(viaLambda.json.items).toEqual(viaServer.items);
      expect(viaLambda.json.items.map((t: { role: string }) => t.role)).toEqual([
        'user',
        'assistant',
        'user',
        'assistant',
        'user',
        'assistant',
      ]);
    }, 60_000);
  });
}
