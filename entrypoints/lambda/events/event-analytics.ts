import type { DomainEvent, SystemError } from '../../../core/model/events.js';
import type { Alert } from '../../../core/ports/alerting.js';
import type { MetricUnit } from '../../../core/ports/telemetry.js';

export interface MetricPoint {
  name: string;
  value: number;
  unit: MetricUnit;
  dimensions?: Record<string, string>;
}

/** What one domain event means for the dashboards and for on-call. */
export interface EventAnalytics {
  metrics: MetricPoint[];
  alert?: Alert;
}

/** Steps whose time is voice processing: recognising the user's speech and synthesising the reply. */
const VOICE_STEPS = ['transcribe', 'synthesize'] as const;

/**
 * The analytics of a domain event: the four dashboard metrics (user interactions, LLM requests, voice processing
 * duration, errors by service) and, for a SystemError, an alert. Pure, so the consumer can apply it exactly once per
 * event id and tests can check it without a queue.
 */
export function analyticsOf(event: DomainEvent, assistantName: string): EventAnalytics {
  switch (event.type) {
    case 'SessionStarted':
      return { metrics: [{ name: 'SessionsStarted', value: 1, unit: 'Count' }] };
    case 'UserInteraction':
      return {
        metrics: [{ name: 'UserInteractions', value: 1, unit: 'Count', dimensions: { inputMode: event.inputMode } }],
      };
    case 'AssistantReplied': {
      const metrics: MetricPoint[] = [];
      if (event.route === 'llm') metrics.push({ name: 'LlmRequests', value: 1, unit: 'Count' });
      const voice = VOICE_STEPS.map((step) => event.timings[step]).filter(
        (ms): ms is number => typeof ms === 'number' && Number.isFinite(ms),
      );
      if (voice.length > 0)
        metrics.push({
          name: 'VoiceProcessingDuration',
          value: voice.reduce((a, b) => a + b, 0),
          unit: 'Milliseconds',
        });
      return { metrics };
    }
    case 'SystemError': {
      const service = serviceOf(event);
      return {
        metrics: [{ name: 'Errors', value: 1, unit: 'Count', dimensions: { service } }],
        alert: {
          id: event.id,
          severity: event.code === 'INTERNAL' ? 'critical' : 'warning',
          subject: `${assistantName}: ${event.code} in ${event.step}`,
          message: `${assistantName} reported ${event.code} in the ${event.step} step at ${event.at}: ${event.message}`,
          attributes: { service, code: event.code, step: event.step, conversationId: event.conversationId },
        },
      };
    }
  }
}

/** The service an error is charged to: the dependency its code names, else the step that failed. */
function serviceOf(event: SystemError): string {
  if (event.code === 'LLM_UNAVAILABLE') return 'language-model';
  if (event.code === 'SPEECH_UNAVAILABLE') return 'speech';
  return event.step;
}
