import * as Type from 'typebox';
import * as Value from 'typebox/value';
import type { DomainEvent } from '../../../core/model/events.js';
import { invalidEvent } from '../shared/lambda-errors.js';

const Id = Type.String({ minLength: 1, maxLength: 256 });
const Base = { id: Id, at: Type.String({ minLength: 20, maxLength: 40 }), userId: Id, conversationId: Id };

/** The domain events as they travel (core/events.ts), checked before anything acts on them. */
const DomainEventSchema = Type.Union([
  Type.Object({ ...Base, type: Type.Literal('SessionStarted') }),
  Type.Object({
    ...Base,
    type: Type.Literal('UserInteraction'),
    turnId: Id,
    text: Type.String(),
    inputMode: Type.Union([Type.Literal('text'), Type.Literal('audio')]),
    intent: Type.String(),
    confidence: Type.Number(),
    sentiment: Type.Optional(Type.Object({ label: Type.String(), score: Type.Number() })),
  }),
  Type.Object({
    ...Base,
    type: Type.Literal('AssistantReplied'),
    turnId: Id,
    route: Type.Union([Type.Literal('skill'), Type.Literal('ask'), Type.Literal('llm')]),
    skill: Type.Optional(Type.String()),
    intent: Type.String(),
    timings: Type.Record(Type.String(), Type.Number()),
  }),
  Type.Object({
    ...Base,
    type: Type.Literal('SystemError'),
    code: Type.String({ minLength: 1 }),
    step: Type.String({ minLength: 1 }),
    message: Type.String(),
  }),
]);

/** What an EventBridge rule with an SQS target puts in the message body: the bus's envelope, the event in `detail`. */
const EnvelopeSchema = Type.Object({
  id: Type.String(),
  'detail-type': Type.String(),
  source: Type.String(),
  detail: Type.Unknown(),
});

/**
 * The domain event carried by one SQS message body, or a ValidationError saying what is wrong with it. A message
 * that fails here fails only its own record: it is retried, then parked in the queue's DLQ. `detail` is the event
 * itself when EventBridgeEventPublisher put it on the bus, or its JSON text when the DynamoDB stream's Pipe did (the
 * event item's `detail` attribute); both are checked the same way.
 */
export function domainEventOf(body: string): DomainEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw invalidEvent('message body', ['not JSON']);
  }
  if (!Value.Check(EnvelopeSchema, parsed)) {
    throw invalidEvent(
      'message body',
      [...Value.Errors(EnvelopeSchema, parsed)].map((e) => `${e.instancePath || '/'} ${e.message}`),
    );
  }
  const detail = typeof parsed.detail === 'string' ? detailOf(parsed.detail) : parsed.detail;
  if (!Value.Check(DomainEventSchema, detail)) {
    const type = (detail as { type?: unknown } | null)?.type;
    throw invalidEvent(`detail of a ${parsed['detail-type']} event`, [
      ...(typeof type === 'string' &&
      ['SessionStarted', 'UserInteraction', 'AssistantReplied', 'SystemError'].includes(type)
        ? [...Value.Errors(DomainEventSchema, detail)]
            .filter((e) => !e.message.includes('Literal'))
            .map((e) => `${e.instancePath || '/'} ${e.message}`)
        : [`unknown event type ${JSON.stringify(type)}`]),
    ]);
  }
  if (detail.type !== parsed['detail-type'])
    throw invalidEvent('message body', [
      `detail-type ${parsed['detail-type']} does not match the event's type ${detail.type}`,
    ]);
  return detail;
}

function detailOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalidEvent('detail', ['a string that is not JSON']);
  }
}
