/**
 * PowertoolsTelemetry with the real Powertools Logger, Metrics and Tracer. Metrics and logs are read back from what
 * they write to stdout and stderr (Powertools always sends EMF straight to stdout, whatever logger Metrics is given), so the test
 * sees exactly what CloudWatch Logs would ingest. Tracing is switched on the way Lambda does it (AWS_EXECUTION_ENV)
 * and spans run inside a real X-Ray segment held in memory: nothing is sent to a daemon, because the segment is never
 * closed.
 */
import xray from 'aws-xray-sdk-core';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsTelemetry } from '../../../adapters/aws/powertools-telemetry.js';
import { ValidationError } from '../../../core/errors.js';
import type { MetricUnit } from '../../../core/ports/telemetry.js';
import { describeTelemetryContract } from '../../contract/telemetry.contract.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Captures what Powertools writes, line by line in order, until `restore()`. Its consoles write through
 * `process.stdout.write` (EMF, info) and `process.stderr.write` (warn, error); on Lambda both reach CloudWatch Logs.
 */
function captureOutput(): { lines: () => Json[]; restore: () => void } {
  const chunks: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(record),
    vi.spyOn(process.stderr, 'write').mockImplementation(record),
  ];
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim().length > 0)
        .map((line) => JSON.parse(line) as Json),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

const isEmf = (line: Json) => typeof line._aws === 'object';

/** The parts of the Embedded Metric Format CloudWatch insists on; a document missing any of them is dropped silently. */
function expectValidEmf(doc: Json): void {
  expect(doc._aws.Timestamp).toEqual(expect.any(Number));
  expect(doc._aws.CloudWatchMetrics).toHaveLength(1);
  const [directive] = doc._aws.CloudWatchMetrics as Json[];
  expect(directive?.Namespace).toEqual(expect.any(String));
  expect(Array.isArray(directive?.Dimensions) && directive.Dimensions.every((set: unknown) => Array.isArray(set))).toBe(
    true,
  );
  for (const key of (directive?.Dimensions as string[][]).flat()) expect(typeof doc[key]).toBe('string');
  for (const metric of directive?.Metrics as Json[]) {
    expect(metric).toEqual({ Name: expect.any(String), Unit: expect.any(String) });
    expect(['number', 'object']).toContain(typeof doc[metric.Name]);
  }
}

const make = () => new PowertoolsTelemetry({ serviceName: 'voice-assistant', namespace: 'VoiceAssistant/Test' });

beforeEach(() => {
  // A developer's shell may carry these; both would silence the metrics under test.
  vi.stubEnv('POWERTOOLS_DEV', '');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describeTelemetryContract('PowertoolsTelemetry', async () => {
  const output = captureOutput();
  return { telemetry: make(), dispose: async () => output.restore() };
});

describeTelemetryContract('PowertoolsTelemetry (tracing on, no active segment)', async () => {
  const output = captureOutput();
  vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs20.x');
  const tracer = new Tracer({ serviceName: 'voice-assistant', captureHTTPsRequests: false });
  expect(tracer.isTracingEnabled()).toBe(true);
  return {
    telemetry: new PowertoolsTelemetry({ serviceName: 'voice-assistant', namespace: 'VoiceAssistant/Test', tracer }),
    dispose: async () => output.restore(),
  };
});

describe('PowertoolsTelemetry', () => {
  let stdout: ReturnType<typeof captureOutput>;

  beforeEach(() => {
    stdout = captureOutput();
  });

  afterEach(() => {
    stdout.restore();
  });

  it('publishes a metric with dimensions at once, as one valid EMF document carrying them', async () => {
    // Act
    make().metric('TurnLatency', 123, 'Milliseconds', { intent: 'weather', channel: 'voice' });

    // Assess
    const emf = stdout.lines().filter(isEmf);
    expect(emf).toHaveLength(1);
    const [doc] = emf as [Json];
    expectValidEmf(doc);
    expect(doc._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'VoiceAssistant/Test',
      Metrics: [{ Name: 'TurnLatency', Unit: 'Milliseconds' }],
    });
    expect([...doc._aws.CloudWatchMetrics[0].Dimensions[0]].sort()).toEqual(['channel', 'intent', 'service']);
    expect(doc).toMatchObject({ TurnLatency: 123, intent: 'weather', channel: 'voice', service: 'voice-assistant' });
  });

  it('buffers metrics without dimensions until flush(), then writes them in one document', async () => {
    // Prepare
    const telemetry = make();

    // Act
    telemetry.metric('Turns', 1, 'Count');
    telemetry.metric('Turns', 1, 'Count');
    telemetry.metric('AudioBytes', 2048, 'Bytes');
    const beforeFlush = stdout.lines().length;
    telemetry.flush();
    telemetry.flush();

    // Assess
    expect(beforeFlush).toBe(0);
    const lines = stdout.lines();
    expect(lines).toHaveLength(1);
    const [doc] = lines as [Json];
    expectValidEmf(doc);
    expect(doc).toMatchObject({ Turns: [1, 1], AudioBytes: 2048, service: 'voice-assistant' });
    expect(doc._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
  });

  it('drops a metric CloudWatch would refuse with a structured warning instead of throwing', async () => {
    make().metric('Latency', Number.NaN, 'Milliseconds', { intent: 'weather' });
    const lines = stdout.lines();
    expect(lines.filter(isEmf)).toEqual([]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'PowertoolsTelemetry: metric dropped',
        metric: 'Latency',
        reason: expect.stringContaining('not a valid number'),
        service: 'voice-assistant',
      }),
    ]);
  });

  it('whatever metric() is given, writes only valid EMF documents with finite values, or a warning', async () => {
    // Prepare
    const telemetry = make();
    const names = fc.oneof(fc.string(), fc.constantFrom('', 'x'.repeat(300), 'service', 'Latency'));
    const values = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, 1));
    const units = fc.oneof(
      fc.constantFrom<MetricUnit>('Count', 'Milliseconds', 'Bytes', 'Percent'),
      fc.string().map((unit) => unit as MetricUnit),
    );
    const dimensions = fc.option(fc.dictionary(fc.string(), fc.string(), { maxKeys: 35 }), { nil: undefined });

    // Act
    fc.assert(
      fc.property(names, values, units, dimensions, (name, value, unit, dims) =>
        telemetry.metric(name, value, unit, dims),
      ),
      { numRuns: 200 },
    );
    telemetry.flush();

    // Assess
    const lines = stdout.lines();
    expect(lines.filter(isEmf).length).toBeGreaterThan(0);
    for (const line of lines) {
      if (!isEmf(line)) {
        expect(line).toMatchObject({ level: 'WARN' });
        continue;
      }
      expectValidEmf(line);
      for (const { Name } of line._aws.CloudWatchMetrics[0].Metrics as Json[]) {
        for (const value of [line[Name]].flat()) expect(Number.isFinite(value)).toBe(true);
      }
    }
  });

  it('writes warn and error as JSON log lines with their fields', async () => {
    // Act
    const telemetry = make();
    telemetry.warn('slow dependency', { dependency: 'bedrock', ms: 2100 });
    telemetry.error('turn failed', { conversationId: 'c-1', error: new Error('model down') });

    // Assess
    const [warn, error] = stdout.lines() as [Json, Json];
    expect(warn).toMatchObject({
      level: 'WARN',
      message: 'slow dependency',
      dependency: 'bedrock',
      ms: 2100,
      service: 'voice-assistant',
    });
    expect(error).toMatchObject({
      level: 'ERROR',
      message: 'turn failed',
      conversationId: 'c-1',
      error: expect.objectContaining({ message: 'model down' }),
    });
  });

  it('uses the logger, metrics and tracer it is given', async () => {
    // Prepare
    const logger = new Logger({ serviceName: 'injected' });
    const metrics = new Metrics({ serviceName: 'injected', namespace: 'Injected', logger });
    const telemetry = new PowertoolsTelemetry({
      serviceName: 'ignored',
      namespace: 'Ignored',
      logger,
      metrics,
      tracer: new Tracer({ enabled: false }),
    });

    // Act
    telemetry.metric('Turns', 1, 'Count');
    telemetry.flush();
    telemetry.warn('hello');

    // Assess
    const [emf, log] = stdout.lines() as [Json, Json];
    expect(emf._aws.CloudWatchMetrics[0].Namespace).toBe('Injected');
    expect(log).toMatchObject({ service: 'injected', message: 'hello' });
    expect(telemetry.logger).toBe(logger);
  });

  it('refuses to start without a service name or namespace', async () => {
    expect(() => new PowertoolsTelemetry({ serviceName: '', namespace: 'X' })).toThrow(ValidationError);
    expect(() => new PowertoolsTelemetry({ serviceName: 'x', namespace: '' })).toThrow(ValidationError);
  });

  describe('spans', () => {
    /** A Tracer that believes it runs on Lambda, without patching HTTP clients. */
    function lambdaTracer(): Tracer {
      vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs20.x');
      return new Tracer({ serviceName: 'voice-assistant', captureHTTPsRequests: false });
    }

    /** Runs `body` with a fresh in-memory segment as the active X-Ray context; returns the segment to inspect. */
    async function withinSegment(tracer: Tracer, body: () => Promise<void>): Promise<Json> {
      const segment = new xray.Segment('voice-assistant-test');
      await tracer.provider.getNamespace().runPromise(async () => {
        tracer.setSegment(segment);
        await body();
      });
      return segment;
    }

    it('outside Lambda just runs the function, opening nothing', async () => {
      const tracer = new Tracer({ serviceName: 'voice-assistant' });
      const telemetry = new PowertoolsTelemetry({ serviceName: 'voice-assistant', namespace: 'X', tracer });
      expect(tracer.isTracingEnabled()).toBe(false);
      await expect(telemetry.span('turn', async () => 'done')).resolves.toBe('done');
    });

    it('opens a named subsegment with the attributes as annotations, and closes it', async () => {
      // Prepare
      const tracer = lambdaTracer();
      const telemetry = new PowertoolsTelemetry({ serviceName: 'voice-assistant', namespace: 'X', tracer });
      let result: unknown;

      // Act
      const segment = await withinSegment(tracer, async () => {
        result = await telemetry.span('respond', async () => 'reply', { skill: 'weather', attempt: 2 });
      });

      // Assess
      expect(result).toBe('reply');
      const [subsegment] = segment.subsegments as [Json];
      expect(segment.subsegments).toHaveLength(1);
      expect(subsegment.name).toBe('### respond');
      expect(subsegment.annotations).toEqual({ skill: 'weather', attempt: 2 });
      expect(subsegment.in_progress).toBeUndefined();
      expect(subsegment.end_time).toEqual(expect.any(Number));
      expect(subsegment.fault ?? subsegment.error).toBeUndefined();
    });

    it('records a failure as an exception on the subsegment, closes it, and rethrows the same error', async () => {
      // Prepare
      const tracer = lambdaTracer();
      const telemetry = new PowertoolsTelemetry({ serviceName: 'voice-assistant', namespace: 'X', tracer });
      const failure = new Error('polly throttled');
      let thrown: unknown;

      // Act
      const segment = await withinSegment(tracer, async () => {
        thrown = await telemetry
          .span('synthesize', async () => Promise.reject(failure))
          .catch((error: unknown) => error);
      });

      // Assess
      expect(thrown).toBe(failure);
      const [subsegment] = segment.subsegments as [Json];
      expect(subsegment.name).toBe('### synthesize');
      expect(subsegment.fault).toBe(true);
      expect(subsegment.cause.exceptions[0]).toMatchObject({ message: 'polly throttled', type: 'Error' });
      expect(subsegment.end_time).toEqual(expect.any(Number));
    });

    it('inside a segment, drops attributes it cannot read with a warning and still runs the function once', async () => {
      // Prepare
      const tracer = lambdaTracer();
      const telemetry = new PowertoolsTelemetry({ serviceName: 'voice-assistant', namespace: 'X', tracer });
      const attributes = Object.defineProperty({}, 'boom', {
        enumerable: true,
        get: () => {
          throw new Error('getter exploded');
        },
      });
      let calls = 0;
      let result: unknown;

      // Act
      const segment = await withinSegment(tracer, async () => {
        result = await telemetry.span(
          'respond',
          async () => {
            calls += 1;
            return 'reply';
          },
          attributes,
        );
      });

      // Assess
      expect([result, calls]).toEqual(['reply', 1]);
      const [subsegment] = segment.subsegments as [Json];
      expect(subsegment.end_time).toEqual(expect.any(Number));
      expect(stdout.lines()).toContainEqual(
        expect.objectContaining({
          level: 'WARN',
          message: 'PowertoolsTelemetry: span attributes not recorded',
          span: 'respond',
        }),
      );
    });

    it('still runs the function when tracing is on but there is no segment to attach to', async () => {
      const tracer = lambdaTracer();
      const telemetry = new PowertoolsTelemetry({ serviceName: 'voice-assistant', namespace: 'X', tracer });
      await expect(telemetry.span('init', async () => 7)).resolves.toBe(7);
    });
  });
});
