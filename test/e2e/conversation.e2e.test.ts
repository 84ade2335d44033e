import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../entrypoints/composition/config.js';
import { createLocalTokenAuthority } from '../../entrypoints/composition/local-module.js';
import { createLogger } from '../../entrypoints/composition/logger.js';
import { startServer, type RunningServer } from '../../entrypoints/http/server.js';
import { startOpenMeteoServer } from '../fakes/open-meteo-server.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('end to end: the real server on a loopback port, local adapters, weather from a local Open-Meteo', () => {
  let dataDir: string;
  let weather: Awaited<ReturnType<typeof startOpenMeteoServer>>;
  let server: RunningServer | undefined;
  let token: string;

  const env = () => ({
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    WEATHER_GEOCODING_URL: weather.url,
    WEATHER_FORECAST_URL: weather.url,
    TTS: 'espeak',
  });
  const start = async () => {
    const config = loadConfig(env());
    server = await startServer(config, createLogger('silent'));
    return server;
  };
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    if (!server) throw new Error('server not started');
    const response = await fetch(new URL(path, server.url), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'assistant-e2e-'));
    weather = await startOpenMeteoServer();
    await start();
    token = await (await createLocalTokenAuthority(loadConfig(env()))).mint({ userId: 'alice', ttlSeconds: 600 });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await weather?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('holds a conversation, keeps it across a restart, and reads the history back', async () => {
    // Prepare
    const created = await call('POST', '/v1/conversations', {});
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const say = async (text: string, extra: Json = {}) => {
      const reply = await call('POST', `/v1/conversations/${id}/turns`, { text, ...extra });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      return reply.body;
    };

    // Act + Assess, turn by turn
    const hello = await say('hello');
    expect(hello).toMatchObject({ route: 'skill', skill: 'small-talk', intent: 'greeting.hello' });

    const weatherQuestion = await say("what's the weather");
    expect(weatherQuestion).toMatchObject({ route: 'ask', text: 'For which city?' });

    const paris = await say('Paris', { speech: { format: 'wav' } });
    expect(paris).toMatchObject({ route: 'skill', skill: 'weather', slots: { city: 'Paris' } });
    expect(paris.text).toMatch(/^In Paris it's -?\d+ degrees Celsius/);
    expect(
      weather.requests.some((url) => url.pathname === '/v1/search' && url.searchParams.get('name') === 'Paris'),
    ).toBe(true);
    expect(paris.audio?.format).toBe('wav');
    expect(
      Buffer.from(paris.audio.data as string, 'base64')
        .subarray(0, 4)
        .toString('ascii'),
    ).toBe('RIFF');

    const jazz = await say('play some jazz');
    expect(jazz).toMatchObject({ skill: 'music', intent: 'music.play', data: { playback: { status: 'playing' } } });
    const track = jazz.data.playback.track as Json;
    expect(track.genre.toLowerCase()).toBe('jazz');
    expect(track.streamUrl).toMatch(/^https?:\/\//);

    const playing = await say("what's playing");
    expect(playing.text).toBe(`This is ${track.title} by ${track.artist}.`);

    const bye = await say('goodbye');
    expect(bye).toMatchObject({ skill: 'small-talk', endConversation: true });

    const history = await call('GET', `/v1/conversations/${id}/turns?limit=100`);
    expect(history.status).toBe(200);
    const turns = history.body.items as Json[];
    expect(turns.map((t) => t.text).filter((_, i) => i % 2 === 0)).toEqual([
      'hello',
      "what's the weather",
      'Paris',
      'play some jazz',
      "what's playing",
      'goodbye',
    ]);
    expect(turns).toHaveLength(12);

    // Restart on the same data directory: the history and the dialogue state are still there.
    await server?.close();
    server = undefined;
    await start();
    const after = await call('GET', `/v1/conversations/${id}/turns?limit=100`);
    expect(after.status).toBe(200);
    expect(after.body.items).toEqual(turns);
    const stillPlaying = await say("what's playing");
    expect(stillPlaying.text).toBe(`This is ${track.title} by ${track.artist}.`);
    const list = await call('GET', '/v1/conversations');
    expect(list.body.items.map((c: Json) => c.id)).toContain(id);
  }, 120_000);

  it('takes a new request that names a city, asked while the weather waits for one, as that request', async () => {
    const created = await call('POST', '/v1/conversations', {});
    const say = async (text: string) => {
      const reply = await call('POST', `/v1/conversations/${created.body.id as string}/turns`, { text });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      return reply.body;
    };

    expect(await say('what is the weather')).toMatchObject({ route: 'ask', text: 'For which city?' });
    const time = await say('what time is it in Washington DC');
    expect(time).toMatchObject({ route: 'skill', skill: 'time', data: { timeZone: 'America/New_York' } });
    expect(time.text).toMatch(/^In Washington.* it's /);

    // A reply that is only the city still answers the question, with or without its fillers.
    expect(await say("how's the weather")).toMatchObject({ route: 'ask', text: 'For which city?' });
    const oslo = await say('in Oslo, please');
    expect(oslo).toMatchObject({ route: 'skill', skill: 'weather', slots: { city: 'Oslo' } });
  }, 60_000);
});
