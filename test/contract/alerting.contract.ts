import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../core/errors.js';
import type { Alert, Alerting } from '../../core/ports/alerting.js';
import { managedFactory } from './harness.js';

/** An alert as the people subscribed to the channel see it. */
export interface ReceivedAlert {
  subject: string;
  /** The whole text they read; it must contain the alert's message. */
  message: string;
  /** Facts a subscription can filter on: at least `severity` and `alertId`, plus the alert's own attributes. */
  attributes: Record<string, string>;
}

export interface AlertingHandle {
  alerting: Alerting;
  /** Every alert the channel has accepted so far. */
  received: () => Promise<ReceivedAlert[]>;
  dispose?: () => Promise<void>;
}

const sample = (overrides: Partial<Alert> = {}): Alert => ({
  id: `evt-${randomUUID()}`,
  severity: 'critical',
  subject: 'Nova: language model unavailable',
  message: 'The respond step degraded: model: 503 "busy".',
  attributes: { service: 'language-model', code: 'LLM_UNAVAILABLE' },
  ...overrides,
});

const of = (received: ReceivedAlert[], alert: Alert) => received.filter((r) => r.attributes.alertId === alert.id);

/** The Alerting contract every adapter must pass; `make` builds a fresh channel and its receiving end per test. */
export function describeAlertingContract(name: string, make: () => Promise<AlertingHandle>): void {
  describe(`Alerting contract: ${name}`, () => {
    const setup = managedFactory(make);

    it('delivers an alert once with its subject, text, severity, id and attributes', async () => {
      const { alerting, received } = await setup();
      const alert = sample();
      await alerting.raise(alert);
      const delivered = of(await received(), alert);
      expect(delivered).toHaveLength(1);
      expect(delivered[0]?.subject).toBe(alert.subject);
      expect(delivered[0]?.message).toContain(alert.message);
      expect(delivered[0]?.attributes).toMatchObject({
        severity: 'critical',
        alertId: alert.id,
        service: 'language-model',
        code: 'LLM_UNAVAILABLE',
      });
    });

    it('delivers a subject the channel could not carry as given as one short line', async () => {
      const { alerting, received } = await setup();
      const alert = sample({ severity: 'warning', subject: `Nova: ${'x'.repeat(300)}\nsecond line é`, attributes: {} });
      await alerting.raise(alert);
      const [delivered] = of(await received(), alert);
      expect(delivered?.subject.length).toBeGreaterThan(0);
      expect(delivered?.subject.length).toBeLessThanOrEqual(100);
      expect(delivered?.subject).not.toMatch(/[\r\n]/);
      expect(delivered?.subject.startsWith('Nova: xxx')).toBe(true);
      expect(delivered?.attributes.severity).toBe('warning');
    });

    it('raises nothing and rejects with AbortedError when the caller has already given up', async () => {
      const { alerting, received } = await setup();
      const alert = sample();
      await expect(alerting.raise(alert, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
      expect(of(await received(), alert)).toEqual([]);
    });
  });
}
