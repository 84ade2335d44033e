import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Hs256TokenAuthority } from '../../adapters/local/hs256-token-authority.js';
import { buildApp, type AppOptions } from '../../entrypoints/http/app.js';
import { appOptionsFor } from '../../entrypoints/http/app-options.js';
import {
  createTestAssistant,
  TEST_AUDIENCE,
  TEST_ISSUER,
  TEST_SECRET,
  type TestAssistantOptions,
} from '../support/test-assistant.js';

export const SECRET = TEST_SECRET;
export const ISSUER = TEST_ISSUER;
export const AUDIENCE = TEST_AUDIENCE;

export type TestAssistant = Awaited<ReturnType<typeof createTestAssistant>>;

export interface HttpHarness {
  app: FastifyInstance;
  assistant: TestAssistant;
  authority: Hs256TokenAuthority;
  /** Authorization headers carrying a fresh token for `userId`. */
  as(userId: string): Promise<Record<string, string>>;
  /** A new conversation of `userId`'s (default alice), made through the service: its id. */
  conversation(userId?: string): Promise<string>;
  /** `POST` of a JSON turn `payload` to conversation `id` as `userId` (default alice), through `app.inject`. */
  postTurn(id: string, payload: object, userId?: string): Promise<LightMyRequestResponse>;
}

/** The turns route of a conversation. */
export const turnUrl = (conversationId: string) => `/v1/conversations/${conversationId}/turns`;

/**
 * The HTTP app over the test assistant, built from its config as the server builds it (limits, rate limits), with the
 * composed HS256 authority; close `app` after each test (which also releases the assistant).
 */
export async function createHttpHarness(
  options: {
    assistant?: TestAssistantOptions;
    app?: Partial<AppOptions>;
    wrap?: (assistant: TestAssistant) => Partial<AppOptions>;
  } = {},
): Promise<HttpHarness> {
  const assistant = await createTestAssistant(options.assistant);
  const authority = assistant.authority;
  const app = await buildApp({
    ...appOptionsFor(assistant.assistant),
    logger: false,
    ...options.wrap?.(assistant),
    ...options.app,
  });
  app.addHook('onClose', assistant.close);
  const authorization = async (userId: string) => ({
    authorization: `Bearer ${await authority.mint({ userId, ttlSeconds: 600 })}`,
  });
  return {
    app,
    assistant,
    authority,
    as: authorization,
    conversation: async (userId = 'alice') => (await assistant.service.create(userId)).id,
    postTurn: async (id, payload, userId = 'alice') =>
      app.inject({ method: 'POST', url: turnUrl(id), headers: await authorization(userId), payload }),
  };
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  requestId: string;
  errors?: { in: string; pointer: string; detail: string }[];
  [extension: string]: unknown;
}

/** Asserts an RFC 9457 answer with `status` (and `code` when given) and returns its body. */
export function expectProblem(response: LightMyRequestResponse, status: number, code?: string): ProblemBody {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json<ProblemBody>();
  expect(body).toMatchObject({
    status,
    title: expect.any(String),
    type: expect.stringMatching(/^urn:/),
    requestId: expect.any(String),
  });
  expect(body.requestId).toBe(response.headers['x-request-id']);
  if (code) expect(body.code).toBe(code);
  return body;
}

/** A valid WAV file of `samples` samples of a 300 Hz tone: loud enough to pass the silence check, no words in it. */
export function toneWav(samples = 8000, sampleRate = 16_000): Buffer {
  const wav = silentWav(samples, sampleRate);
  for (let i = 0; i < samples; i += 1)
    wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 300 * i) / sampleRate)), 44 + i * 2);
  return wav;
}

/** A minimal valid WAV file (16-bit mono PCM at `sampleRate`) of `samples` silent samples. */
export function silentWav(samples = 160, sampleRate = 16_000): Buffer {
  const data = samples * 2;
  const wav = Buffer.alloc(44 + data);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + data, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(sampleRate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(data, 40);
  return wav;
}
