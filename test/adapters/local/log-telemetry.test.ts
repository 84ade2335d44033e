import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LogTelemetry } from '../../../adapters/local/log-telemetry.js';
import { describeTelemetryContract } from '../../contract/telemetry.contract.js';

/** A real pino logger at debug level whose JSON lines are kept in memory instead of reaching the test output. */
function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

describeTelemetryContract('LogTelemetry over pino', async () => ({
  telemetry: new LogTelemetry(recordingLogger().logger),
}));

describe('LogTelemetry', () => {
  it('logs a metric with its dimensions, and a span with its attributes and outcome', async () => {
    // Prepare
    const { logger, lines } = recordingLogger();
    const telemetry = new LogTelemetry(logger);

    // Act
    telemetry.metric('turn.latency', 12.5, 'Milliseconds', { intent: 'weather' });
    await telemetry.span('respond', async () => 'ok', { skill: 'weather' });
    await telemetry.span('respond', async () => Promise.reject(new Error('down'))).catch(() => undefined);

    // Assess
    expect(lines[0]).toMatchObject({
      msg: 'metric',
      metric: 'turn.latency',
      value: 12.5,
      unit: 'Milliseconds',
      intent: 'weather',
    });
    expect(lines[1]).toMatchObject({
      msg: 'span',
      span: 'respond',
      failed: false,
      skill: 'weather',
      ms: expect.any(Number),
    });
    expect(lines[2]).toMatchObject({ msg: 'span', span: 'respond', failed: true });
  });
});
