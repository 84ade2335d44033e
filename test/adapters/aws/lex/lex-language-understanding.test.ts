import { LexRuntimeV2Client } from '@aws-sdk/client-lex-runtime-v2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lexBotDefinition, type LexBotDefinition } from '../../../../adapters/aws/lex/lex-bot-definition.js';
import {
  isoDurationSeconds,
  LexLanguageUnderstanding,
} from '../../../../adapters/aws/lex/lex-language-understanding.js';
import { AbortedError, CoreError, DependencyUnavailableError, ValidationError } from '../../../../core/errors.js';
import { NO_INTENT, type TrainingSet } from '../../../../core/model/understanding.js';
import { describeLanguageUnderstandingContract } from '../../../contract/language-understanding.contract.js';
import { startLexRuntimeFake, type LexRuntimeFake } from '../../../fakes/aws/lex-runtime-fake.js';
import { TEST_AWS_CLIENT_CONFIG } from '../../../fakes/aws/fake-aws-server.js';
import { skipWhen } from '../../../support/skip-reason.js';

const BOT = { botId: 'BOTID12345', botAliasId: 'TSTALIASID', localeId: 'en_US' } as const;
const opened: { close(): Promise<void> }[] = [];
const clients: LexRuntimeV2Client[] = [];

async function lexOver(training: TrainingSet) {
  const definition = lexBotDefinition(training, {
    botName: 'Assistant',
    localeId: BOT.localeId,
    confidenceThreshold: 0.4,
  });
  const fake = await startLexRuntimeFake({ botId: BOT.botId, botAliasId: BOT.botAliasId, definition });
  opened.push(fake);
  const client = new LexRuntimeV2Client({ ...TEST_AWS_CLIENT_CONFIG, endpoint: fake.url });
  clients.push(client);
  const nlu = new LexLanguageUnderstanding({
    ...BOT,
    intentMap: definition.intentMap,
    slots: definition.slots,
    client,
  });
  return { fake, nlu, definition, client };
}

afterAll(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const handle of opened.splice(0)) await handle.close();
});

describeLanguageUnderstandingContract(
  'LexLanguageUnderstanding over the Lex runtime fake',
  async (training) => (await lexOver(training)).nlu,
);

const TRAINING: TrainingSet = {
  language: 'en',
  intents: [
    {
      name: 'weather.current',
      utterances: ['what is the weather in {city}', 'weather in {city}', 'is it cold in {city}', 'how warm is it'],
      slots: [{ name: 'city', entity: 'city' }],
    },
    {
      name: 'timer.set',
      utterances: ['set a timer for {length}', 'start a {length} timer', 'timer for {length}'],
      slots: [{ name: 'length', entity: 'duration' }],
    },
    {
      name: 'volume.set',
      utterances: ['set the volume to {level}', 'volume {level}', 'turn the volume to {level}'],
      slots: [{ name: 'level', entity: 'number' }],
    },
    {
      name: 'music.now_playing',
      utterances: ["what's playing", 'what song is this', 'which track is this'],
      slots: [],
    },
    { name: 'greeting.hello', utterances: ['hello', 'hi there', 'good morning'], slots: [] },
    {
      name: 'smart-home.lights_on',
      utterances: ['turn on the lights', 'lights on', 'switch the lights on'],
      slots: [],
    },
  ],
  entities: { city: ['Paris', 'Oslo', 'New York'] },
};

describe('LexLanguageUnderstanding', () => {
  let fake: LexRuntimeFake;
  let nlu: LexLanguageUnderstanding;
  let definition: LexBotDefinition;
  let client: LexRuntimeV2Client;

  beforeAll(async () => {
    ({ fake, nlu, definition, client } = await lexOver(TRAINING));
  });
  afterEach(() => {
    fake.calls.length = 0;
  });

  it('declares the entity types of the bot’s slots and the locale’s languages', () => {
    expect([...nlu.capabilities.entities].sort()).toEqual(['city', 'duration', 'number']);
    expect(nlu.capabilities.languages).toEqual(['en', 'en-US']);
  });

  it('addresses the bot alias and locale, with the conversation as the session and its id as a session attribute', async () => {
    // Act
    const understanding = await nlu.understand({
      text: 'what is the weather like in Oslo',
      language: 'en',
      conversationId: 'conv-42',
    });
    // Assess
    expect(understanding).toMatchObject({
      intent: 'weather.current',
      slots: { city: { entity: 'city', value: 'Oslo', raw: 'Oslo' } },
    });
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]).toMatchObject({ operation: 'text', sessionId: 'conv-42' });
    expect(fake.calls[0]?.body).toMatchObject({
      text: 'what is the weather like in Oslo',
      sessionState: { sessionAttributes: { conversationId: 'conv-42' } },
    });
    expect(fake.calls[0]?.body?.sessionState?.dialogAction).toBeUndefined();
  });

  it('hashes a conversation id Lex would refuse into a stable session id of its charset', async () => {
    const conversationId = `user@example.com/${'x'.repeat(120)}`;

    await nlu.understand({ text: 'hello', language: 'en', conversationId });
    await nlu.understand({ text: 'good morning', language: 'en', conversationId });

    const [first, second] = fake.calls.map((call) => call.sessionId);
    expect(first).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(second).toBe(first);
    expect(fake.calls[0]?.body?.sessionState?.sessionAttributes).toEqual({ conversationId });
  });

  it('asks Lex to elicit the expected slot, so a bare answer fills it', async () => {
    const understanding = await nlu.understand({
      text: 'New York',
      language: 'en',
      conversationId: 'conv-7',
      expecting: { intent: 'weather.current', slot: 'city', entity: 'city' },
    });

    expect(fake.calls[0]?.body?.sessionState).toMatchObject({
      dialogAction: { type: 'ElicitSlot', slotToElicit: 'city' },
      intent: { name: 'weather_current', state: 'InProgress' },
    });
    expect(understanding.intent).toBe('weather.current');
    expect(understanding.slots.city).toEqual({ entity: 'city', value: 'New York', raw: 'New York' });
  });

  it('maps Lex intent names back to the assistant’s through the generated map, whatever punctuation they had', async () => {
    const song = await nlu.understand({ text: 'which song is playing', language: 'en' });
    const lights = await nlu.understand({ text: 'please turn the lights on', language: 'en' });

    expect(definition.intentMap).toMatchObject({
      music_now_playing: 'music.now_playing',
      smart_home_lights_on: 'smart-home.lights_on',
    });
    expect(song.intent).toBe('music.now_playing');
    expect(lights.intent).toBe('smart-home.lights_on');
  });

  it('reads AMAZON.Duration as seconds and AMAZON.Number as a number', async () => {
    const timer = await nlu.understand({ text: 'set a timer for an hour and a half', language: 'en' });
    const volume = await nlu.understand({ text: 'set the volume to 7', language: 'en' });

    expect(timer.intent).toBe('timer.set');
    expect(timer.slots.length).toEqual({ entity: 'duration', value: 5400, raw: 'an hour and a half' });
    expect(volume.slots.level).toMatchObject({ entity: 'number', value: 7 });
  });

  it('reports FallbackIntent as no intent', async () => {
    const understanding = await nlu.understand({ text: 'explain quantum entanglement to a child', language: 'en' });
    expect(understanding.intent).toBe(NO_INTENT);
    expect(understanding.slots).toEqual({});
  });

  it('answers another language with no intent, without calling Lex', async () => {
    const understanding = await nlu.understand({ text: 'quel temps fait-il à Paris', language: 'fr' });
    expect(understanding).toMatchObject({ intent: NO_INTENT, confidence: 0 });
    expect(fake.calls).toEqual([]);
  });

  it.each([
    [429, 'ThrottlingException', DependencyUnavailableError, true],
    [500, 'InternalServerException', DependencyUnavailableError, true],
    [502, 'BadGatewayException', DependencyUnavailableError, true],
    [404, 'ResourceNotFoundException', DependencyUnavailableError, false],
    [403, 'AccessDeniedException', DependencyUnavailableError, false],
    [400, 'ValidationException', ValidationError, false],
  ] as const)('maps HTTP %i %s to %o, retryable: %s', async (status, errorType, type, retryable) => {
    fake.failNext(status, errorType);

    const error = await nlu.understand({ text: 'hello', language: 'en' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ retryable, message: expect.stringMatching(/^lex: /) });
    expect((error as CoreError).cause).toMatchObject({ name: errorType });
  });

  it('refuses to talk to another bot: a wrong bot id is a non-retryable configuration error', async () => {
    const wrong = new LexLanguageUnderstanding({ ...BOT, botId: 'NOSUCHBOT1', client });

    const error = await wrong.understand({ text: 'hello', language: 'en' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CoreError);
    expect(error).toMatchObject({ retryable: false, message: expect.stringContaining('ResourceNotFoundException') });
  });

  it('reports an unreachable endpoint as retryable DependencyUnavailableError', async () => {
    const gone = await startLexRuntimeFake({ botId: BOT.botId, botAliasId: BOT.botAliasId, definition });
    await gone.close();
    const offline = new LexLanguageUnderstanding({
      ...BOT,
      clientConfig: { ...TEST_AWS_CLIENT_CONFIG, endpoint: gone.url },
    });

    const error = await offline.understand({ text: 'hello', language: 'en' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ retryable: true });
  });

  it('gives up on a silent Lex after timeoutMs with a retryable DependencyUnavailableError', async () => {
    const impatient = new LexLanguageUnderstanding({ ...BOT, client, timeoutMs: 100 });
    const { release } = fake.hold();
    try {
      const error = await impatient.understand({ text: 'hello', language: 'en' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect(error).toMatchObject({ retryable: true, message: expect.stringContaining('no answer within') });
    } finally {
      release();
    }
  });

  it('stops a call in flight when the caller aborts', async () => {
    const { received, release } = fake.hold();
    const controller = new AbortController();
    const pending = nlu
      .understand({ text: 'hello', language: 'en', signal: controller.signal })
      .catch((e: unknown) => e);

    await received;
    controller.abort();

    await expect(pending).resolves.toBeInstanceOf(AbortedError);
    release();
  });

  it('reads Lex intent names without a map by turning the first underscore back into a dot', async () => {
    const unmapped = new LexLanguageUnderstanding({ ...BOT, client });

    const understanding = await unmapped.understand({ text: 'what song is this', language: 'en' });

    expect(unmapped.capabilities.entities).toEqual(['city', 'genre', 'artist', 'title', 'duration', 'number']);
    expect(understanding.intent).toBe('music.now_playing');
  });
});

describe('isoDurationSeconds', () => {
  it.each([
    ['PT20M', 1200],
    ['PT1H30M', 5400],
    ['PT45S', 45],
    ['P2D', 172_800],
    ['P1W', 604_800],
    ['PT0.5H', 1800],
    ['P1DT2H', 93_600],
  ])('reads %s as %i seconds', (iso, seconds) => {
    expect(isoDurationSeconds(iso)).toBe(seconds);
  });

  it.each(['', 'P', 'PT', '20 minutes', 'PT1X'])('refuses %j', (iso) => {
    expect(isoDurationSeconds(iso)).toBeUndefined();
  });
});

const IT_AWS =
  process.env.IT_AWS === '1' && Boolean(process.env.IT_AWS_LEX_BOT_ID && process.env.IT_AWS_LEX_BOT_ALIAS_ID);
describe(
  'against a real Lex bot',
  skipWhen(!IT_AWS, 'set IT_AWS=1, IT_AWS_LEX_BOT_ID, IT_AWS_LEX_BOT_ALIAS_ID and AWS credentials'),
  () => {
    describeLanguageUnderstandingContract('LexLanguageUnderstanding on AWS', async (training) => {
      const definition = lexBotDefinition(training, {
        botName: 'Assistant',
        localeId: 'en_US',
        confidenceThreshold: 0.4,
      });
      const client = new LexRuntimeV2Client({});
      clients.push(client);
      return new LexLanguageUnderstanding({
        botId: process.env.IT_AWS_LEX_BOT_ID as string,
        botAliasId: process.env.IT_AWS_LEX_BOT_ALIAS_ID as string,
        localeId: 'en_US',
        intentMap: definition.intentMap,
        slots: definition.slots,
        client,
      });
    });
  },
);
