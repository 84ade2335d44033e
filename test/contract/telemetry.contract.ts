import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MetricUnit, Telemetry } from '../../core/ports/telemetry.js';
import { managedFactory } from './harness.js';

export interface TelemetryHarness {
  telemetry: Telemetry;
  /** Restores whatever the factory redirected (stdout, streams); called after each test. */
  dispose?: () => Promise<void>;
}

const UNITS: readonly MetricUnit[] = ['Count', 'Milliseconds', 'Bytes', 'Percent'];

/** Values a caller might hand over by mistake: telemetry has to survive them, never the other way round. */
function awkwardFields(): Record<string, unknown> {
  const circular: Record<string, unknown> = { name: 'loop' };
  circular.self = circular;
  return {
    circular,
    big: 10n ** 30n,
    error: new TypeError('inner failure', { cause: new Error('root cause') }),
    nothing: undefined,
    nil: null,
    fn: () => 'not serialisable',
    symbol: Symbol('s'),
    nested: { deep: { deeper: [1, 'two', { three: 3 }] } },
    date: new Date(0),
    map: new Map([['k', 'v']]),
  };
}

/** A record whose one enumerable property throws when read, as a proxy or a lazy object might. */
function hostile<T = unknown>(): Record<string, T> {
  return Object.defineProperty({}, 'boom', {
    enumerable: true,
    get: () => {
      throw new Error('getter exploded');
    },
  });
}

/**
 * What every Telemetry must guarantee to the code it observes: spans are transparent (same value, same error, fn run
 * exactly once, whatever the attributes) and metrics and logs never throw, whatever they are given.
 */
export function describeTelemetryContract(name: string, make: () => Promise<TelemetryHarness>): void {
  describe(`Telemetry contract: ${name}`, () => {
    const made = managedFactory(make);

    it('returns the value of the function a span wraps, running it exactly once', async () => {
      const { telemetry } = await made();
      const value = { answer: 42 };
      let calls = 0;
      const result = await telemetry.span(
        'turn',
        async () => {
          calls += 1;
          return value;
        },
        { conversationId: 'c-1', attempt: 1 },
      );
      expect(result).toBe(value);
      expect(calls).toBe(1);
    });

    it('rethrows the very error the function threw, and non-Error throwables too', async () => {
      const { telemetry } = await made();
      const failure = new RangeError('the model is down');
      await expect(telemetry.span('respond', async () => Promise.reject(failure))).rejects.toBe(failure);
      const thrown = await telemetry
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a non-Error throwable is the case under test
        .span('respond', async () => Promise.reject('a bare string'))
        .then(
          () => expect.unreachable('the span resolved'),
          (error: unknown) => error,
        );
      expect(thrown).toBe('a bare string');
    });

    it('keeps nested and concurrent spans apart', async () => {
      const { telemetry } = await made();
      const results = await Promise.all(
        [1, 2, 3].map((n) =>
          telemetry.span(`outer-${n}`, async () => {
            const inner = await telemetry.span(`inner-${n}`, async () => {
              await new Promise((resolve) => setImmediate(resolve));
              return n * 10;
            });
            return inner + n;
          }),
        ),
      );
      expect(results).toEqual([11, 22, 33]);
    });

    it('never throws from metric(), whatever the name, value, unit or dimensions', async () => {
      const { telemetry } = await made();
      const names = fc.oneof(
        fc.string(),
        fc.constantFrom('', ' ', 'x'.repeat(300), 'latency.ms', 'ünïcødé 🎙', '__proto__'),
      );
      const values = fc.oneof(
        fc.double(),
        fc.integer(),
        fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, Number.MAX_VALUE),
      );
      const units = fc.oneof(
        fc.constantFrom(...UNITS),
        fc.string().map((unit) => unit as MetricUnit),
      );
      const dimensions = fc.option(fc.dictionary(fc.string(), fc.string(), { maxKeys: 40 }), { nil: undefined });
      fc.assert(
        fc.property(names, values, units, dimensions, (metricName, value, unit, dims) => {
          expect(() => telemetry.metric(metricName, value, unit, dims)).not.toThrow();
        }),
        { numRuns: 150 },
      );
    });

    it('never throws from warn() or error(), even for fields that do not serialise', async () => {
      const { telemetry } = await made();
      for (const message of ['plain', '', 'x'.repeat(10_000), 'line\nbreak "quoted"']) {
        expect(() => telemetry.warn(message)).not.toThrow();
        expect(() => telemetry.error(message, {})).not.toThrow();
        expect(() => telemetry.warn(message, awkwardFields())).not.toThrow();
        expect(() => telemetry.error(message, awkwardFields())).not.toThrow();
      }
    });

    it("never throws from warn() or error() when a field's getter throws", async () => {
      const { telemetry } = await made();
      expect(() => telemetry.warn('hostile fields', hostile())).not.toThrow();
      expect(() => telemetry.error('hostile fields', hostile())).not.toThrow();
    });

    it("never throws from metric() when a dimension's getter throws", async () => {
      const { telemetry } = await made();
      expect(() => telemetry.metric('Turns', 1, 'Count', hostile<string>())).not.toThrow();
      const mixed = Object.assign(hostile<string>(), { intent: 'weather' });
      expect(() => telemetry.metric('Latency', 12, 'Milliseconds', mixed)).not.toThrow();
    });

    it("keeps a span transparent when an attribute's getter throws: same value, same error, fn run once each", async () => {
      const { telemetry } = await made();
      let calls = 0;
      const value = await telemetry.span(
        'turn',
        async () => {
          calls += 1;
          return 'reply';
        },
        hostile<string | number>(),
      );
      expect(value).toBe('reply');
      const failure = new Error('the skill failed');
      await expect(
        telemetry.span(
          'turn',
          async () => {
            calls += 1;
            throw failure;
          },
          hostile<string | number>(),
        ),
      ).rejects.toBe(failure);
      expect(calls).toBe(2);
    });
  });
}
