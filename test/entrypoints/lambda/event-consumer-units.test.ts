import { describe, expect, it } from 'vitest';
import { DependencyUnavailableError, ValidationError } from '../../../core/errors.js';
import type { DomainEvent } from '../../../core/model/events.js';
import { analyticsOf } from '../../../entrypoints/lambda/events/event-analytics.js';
import { domainEventOf } from '../../../entrypoints/lambda/events/domain-event-message.js';
import { eventEnvelope } from '../../../adapters/shared/event-envelope.js';
import { toLambdaError } from '../../../entrypoints/lambda/shared/lambda-errors.js';

const base = { id: 'evt-1', at: '2026-11-30T09:30:00.000Z', userId: 'u', conversationId: 'c' };
const body = (detail: object, detailType = (detail as { type?: string }).type ?? 'X') =>
  JSON.stringify({ version: '0', id: 'eb-1', 'detail-type': detailType, source: 'voice-assistant', detail });

describe("domainEventOf (the consumer's edge)", () => {
  it('returns the domain event inside an EventBridge envelope', () => {
    const event: DomainEvent = {
      ...base,
      type: 'AssistantReplied',
      turnId: 't',
      route: 'skill',
      skill: 'weather',
      intent: 'weather.current',
      timings: { total: 3 },
    };
    expect(domainEventOf(body(event))).toEqual(event);
  });

  it("returns the domain event whose detail the DynamoDB stream's Pipe passed on as JSON text, checked the same way", () => {
    const event: DomainEvent = { ...base, type: 'SessionStarted' };
    // The event item's detail attribute, exactly as the DynamoDB store wrote it (eventEnvelope).
    const piped = (detail: string, detailType = 'SessionStarted') =>
      JSON.stringify({ version: '0', id: 'eb-2', 'detail-type': detailType, source: 'voice-assistant', detail });
    expect(domainEventOf(piped(eventEnvelope(event, 'voice-assistant').detail))).toEqual(event);
    expect(() => domainEventOf(piped('{not json'))).toThrow(/detail.*not JSON/);
    expect(() => domainEventOf(piped(JSON.stringify({ ...base, type: 'SessionStarted', id: '' })))).toThrow(
      ValidationError,
    );
    expect(() => domainEventOf(piped(JSON.stringify(event), 'SystemError'))).toThrow(/does not match/);
  });

  it.each([
    ['a body that is not JSON', 'nope', /not JSON/],
    ['an envelope without detail-type', JSON.stringify({ id: 'x', source: 's', detail: {} }), /detail-type/],
    ['an unknown event type', body({ ...base, type: 'Surprise' }), /unknown event type "Surprise"/],
    [
      'a known type missing a field',
      body({ ...base, type: 'UserInteraction', text: 'hi', inputMode: 'text', intent: 'x', confidence: 1 }),
      /turnId/,
    ],
    [
      'a detail-type that disagrees with the event',
      body({ ...base, type: 'SessionStarted' }, 'SystemError'),
      /does not match/,
    ],
  ])('refuses %s with a ValidationError saying why', (_case, text, reason) => {
    expect(() => domainEventOf(text)).toThrow(ValidationError);
    expect(() => domainEventOf(text)).toThrow(reason);
  });
});

describe('analyticsOf', () => {
  it('counts an LLM reply and sums its voice steps', () => {
    const analytics = analyticsOf(
      {
        ...base,
        type: 'AssistantReplied',
        turnId: 't',
        route: 'llm',
        intent: 'None',
        timings: { transcribe: 100.5, synthesize: 50, respond: 900 },
      },
      'Nova',
    );
    expect(analytics).toEqual({
      metrics: [
        { name: 'LlmRequests', value: 1, unit: 'Count' },
        { name: 'VoiceProcessingDuration', value: 150.5, unit: 'Milliseconds' },
      ],
    });
  });

  it('records no voice time for a text turn without speech, and no LLM request for a skill', () => {
    expect(
      analyticsOf(
        { ...base, type: 'AssistantReplied', turnId: 't', route: 'skill', intent: 'x', timings: { respond: 3 } },
        'Nova',
      ).metrics,
    ).toEqual([]);
  });

  it('charges a SystemError to its service and raises an alert carrying the event id', () => {
    const analytics = analyticsOf(
      { ...base, type: 'SystemError', code: 'SPEECH_UNAVAILABLE', step: 'synthesize', message: 'polly: throttled' },
      'Nova',
    );
    expect(analytics.metrics).toEqual([{ name: 'Errors', value: 1, unit: 'Count', dimensions: { service: 'speech' } }]);
    expect(analytics.alert).toMatchObject({
      id: 'evt-1',
      severity: 'warning',
      subject: 'Nova: SPEECH_UNAVAILABLE in synthesize',
      attributes: { conversationId: 'c' },
    });
  });
});

describe("toLambdaError (the one mapping to the runtime's errorType)", () => {
  it('names core errors by code and retryability, keeping the cause', () => {
    const cause = new DependencyUnavailableError('sns', 'throttled');
    expect(toLambdaError(cause)).toMatchObject({
      name: 'Assistant.DEPENDENCY_UNAVAILABLE.Retryable',
      retryable: true,
      cause,
    });
    expect(toLambdaError(new ValidationError('bad'))).toMatchObject({
      name: 'Assistant.VALIDATION',
      retryable: false,
      message: 'bad',
    });
  });

  it("says nothing of an unknown error's message", () => {
    const mapped = toLambdaError(new Error('secret host db-internal:5432 refused'));
    expect(mapped.name).toBe('Assistant.INTERNAL.Retryable');
    expect(mapped.message).not.toContain('db-internal');
  });
});
