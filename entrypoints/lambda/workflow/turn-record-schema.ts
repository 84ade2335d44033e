import * as Type from 'typebox';
import * as Value from 'typebox/value';
import type { TurnRecord } from '../../../core/model/turn.js';
import { STEP_NAMES } from '../../../core/model/turn.js';

const AudioRefSchema = Type.Object({
  uri: Type.String({ minLength: 1, maxLength: 2048 }),
  format: Type.Union([Type.Literal('wav'), Type.Literal('mp3'), Type.Literal('ogg'), Type.Literal('pcm')]),
  sampleRate: Type.Integer({ minimum: 1 }),
  bytes: Type.Integer({ minimum: 0 }),
});

/**
 * The part of a turn record every task relies on. Later fields come from the steps themselves; an event without
 * this much is not a turn (a hand-started execution, a template mistake) and fails at the edge.
 */
const TurnRecordEnvelope = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 80 }),
  userId: Type.String({ minLength: 1, maxLength: 256 }),
  conversationId: Type.String({ minLength: 1, maxLength: 128 }),
  input: Type.Union([
    Type.Object({ kind: Type.Literal('text'), text: Type.String() }),
    Type.Object({ kind: Type.Literal('audio'), audio: AudioRefSchema }),
  ]),
  receivedAt: Type.String({ format: 'date-time' }),
  attempt: Type.Integer({ minimum: 1, maximum: 100 }),
  timings: Type.Partial(Type.Object(Object.fromEntries(STEP_NAMES.map((name) => [name, Type.Number({ minimum: 0 })])))),
});

/** The record in a task's event, or the list of what is wrong with it. */
export function parseTurnRecord(event: unknown): { record: TurnRecord } | { problems: string[] } {
  if (Value.Check(TurnRecordEnvelope, event)) return { record: event };
  const problems = [...Value.Errors(TurnRecordEnvelope, event)]
    .slice(0, 10)
    .map((error) => `${error.instancePath || '/'} ${error.message}`);
  return { problems };
}
