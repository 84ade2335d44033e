/*
 * One process of the outbox crash test (outbox-crash.test.ts): the production container over a data directory (SQLite)
 * or a DynamoDB table, doubles only for the outside world, real turns through the pipeline. Every batch the event
 * transport takes is appended (synchronously, so it survives a SIGKILL) to DELIVERED_LOG. KILL says when the process
 * kills itself with SIGKILL:
 *   first-delivery  when the transport is first handed a turn's events (before it records them)
 *   after-delivery  right after the transport recorded its first batch of turn events (before the outbox forgets it)
 *   after-commit:N  right after the Nth exchange committed (before the turn's publish step)
 *   none            never: run TURNS turns, wait until the relay has emptied the outbox, exit 0
 */
import { appendFileSync } from 'node:fs';
import type { DomainEvent } from '../../../core/model/events.js';
import type { EventPublisher } from '../../../core/ports/event-publisher.js';
import type { ConversationStore } from '../../../core/ports/conversation-store.js';
import { noopTelemetry } from '../../../core/defaults.js';
import { loadConfig } from '../../../entrypoints/composition/config.js';
import { createContainer, overrideBindings, resolveAssistant } from '../../../entrypoints/composition/container.js';
import { createLogger } from '../../../entrypoints/composition/logger.js';
import { ArrayMusicCatalog } from '../../doubles/array-music-catalog.js';
import { FixedWeatherProvider } from '../../doubles/fixed-weather-provider.js';
import { PatternLanguageUnderstanding } from '../../doubles/pattern-language-understanding.js';
import { ScriptedLanguageModel } from '../../doubles/scripted-language-model.js';

const env = process.env;
const kill = env.KILL ?? 'none';
const turns = Number(env.TURNS ?? '4');
const log = env.DELIVERED_LOG!;
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};
const isTurnEvent = (event: DomainEvent) => event.type === 'UserInteraction' || event.type === 'AssistantReplied';

let deliveries = 0;
const transport: EventPublisher = {
  async publish({ events }) {
    const turnBatch = events.some(isTurnEvent);
    if (turnBatch && kill === 'first-delivery') die();
    appendFileSync(log, events.map((event) => `${JSON.stringify(event)}\n`).join(''));
    if (turnBatch && kill === 'after-delivery' && (deliveries += 1) === 1) die();
  },
};

const config = loadConfig({
  ...(env as Record<string, string>),
  ASSISTANT_NAME: 'Crash',
  // The outbox under test: the local profile's default records no events.
  EVENTS: 'in-process',
  TTS: 'none',
  STT: 'none',
  SENTIMENT: 'none',
  AUTH_SECRET: 'crash-test-secret-that-is-long-enough-0123456789',
  LOG_LEVEL: 'silent',
});
const container = await createContainer(config, {
  logger: createLogger('silent'),
  overrides: {
    telemetry: noopTelemetry,
    weatherProvider: new FixedWeatherProvider(),
    musicCatalog: new ArrayMusicCatalog(),
    languageModel: new ScriptedLanguageModel(),
    eventTransport: transport,
  },
});
const skills = await container.getAsync('skills');
await overrideBindings(container, {
  languageUnderstanding: new PatternLanguageUnderstanding(await skills.trainingSet('en')),
});
const store: ConversationStore = await container.getAsync('conversationStore');
if (kill.startsWith('after-commit:')) {
  const at = Number(kill.split(':')[1]);
  let commits = 0;
  const append = store.appendExchange.bind(store);
  store.appendExchange = async (exchange) => {
    const stored = await append(exchange);
    if ((commits += 1) === at) die();
    return stored;
  };
}
const assistant = await resolveAssistant(container);
const userId = env.USER_ID ?? 'crash-user';
if (turns > 0) {
  const { id } = await assistant.conversations.create(userId);
  const said = ['hello', "what's the weather", 'Paris', 'what time is it', 'thanks', 'what can you do'];
  for (let i = 0; i < turns; i += 1) {
    await assistant.handleTurn({ userId, conversationId: id, input: { kind: 'text', text: said[i % said.length]! } });
  }
}
if (kill === 'none') {
  // The relay delivers on its own (at start, on its timer, after each turn): wait for it to empty the outbox.
  const relay = await container.getAsync('eventRelay');
  if (!relay) throw new Error('EVENTS=in-process binds a relay');
  for (let round = 0; round < 200; round += 1) {
    if (await relay.deliverPending()) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const outbox = container.isBound('eventOutbox') ? await container.getAsync('eventOutbox') : undefined;
  process.stdout.write(`${JSON.stringify({ pending: outbox ? await outbox.pending() : null })}\n`);
  await assistant.close();
} else {
  process.stdout.write('not killed\n');
  process.exitCode = 3;
}
