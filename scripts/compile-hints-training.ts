// The training run of the eager-compile hints (compile-hints.ts): the API bundle is initialised and sent its first
// requests under V8's coverage, in a process of its own, and the functions that ran are what a cold start calls.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Hs256TokenAuthority } from '../adapters/local/hs256-token-authority.js';

/** A function the training run called, as V8's coverage gives it: its source range in the file. */
export interface CalledRange {
  start: number;
  end: number;
}

/** A REST API (payload 1.0) proxy event, as API Gateway sends the function a request. */
function restEvent(method: string, path: string, headers: Record<string, string>) {
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers: { host: 'api.example.com', 'user-agent': 'compile-hints', ...headers },
    multiValueHeaders: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'training',
      stage: 'prod',
      requestId: 'compile-hints',
      httpMethod: method,
      path: `/prod${path}`,
      resourceId: 'res',
      resourcePath: '/{proxy+}',
      protocol: 'HTTP/1.1',
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: '203.0.113.7', userAgent: 'compile-hints' },
      authorizer: null,
    },
  };
}

const TRAINING_PROBE = `
const [modulePath, eventPath] = process.argv.slice(2);
const { handler } = await import(modulePath);
if (!eventPath) { process.stdout.write('\\nSTATUS 200\\n'); process.exit(0); }
const event = JSON.parse(await (await import('node:fs/promises')).readFile(eventPath, 'utf8'));
const context = { functionName: 'compile-hints', functionVersion: '$LATEST', awsRequestId: 'compile-hints',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:compile-hints', memoryLimitInMB: '1024',
  logGroupName: '/aws/lambda/compile-hints', logStreamName: 's', getRemainingTimeInMillis: () => 30000 };
const result = await handler(event, context);
process.stdout.write('\\nSTATUS ' + result.statusCode + '\\n');
`;

/**
 * The functions a function's cold start calls, per output file (by file URL), each run in a fresh process under V8's
 * coverage, with the settings the function runs with where they matter (the local token verifier stands in for
 * Cognito: no AWS service is reached). The API bundle is imported and invoked once with an authenticated request
 * (GET /v1/skills) and once, traced, with a public one (GET /health). The workflow and events bundles are only
 * imported, once plain and once traced: their init (config, telemetry, container), as their first event would need
 * DynamoDB, S3 or SNS.
 */
export async function calledAtColdStart(
  entry: string,
  name: 'api' | 'workflow' | 'events' = 'api',
): Promise<Map<string, CalledRange[]>> {
  const dir = await mkdtemp(join(tmpdir(), 'compile-hints-'));
  try {
    const secret = randomBytes(24).toString('hex');
    const token = await new Hs256TokenAuthority({
      secret,
      issuer: 'voice-assistant-local',
      audience: 'voice-assistant',
    }).mint({ userId: 'compile-hints', ttlSeconds: 600 });
    const probe = join(dir, 'probe.mjs');
    await writeFile(probe, TRAINING_PROBE);
    // The second traces, as a deployed function does (the tracer and the X-Ray SDK load at init); the first does not.
    const tracing = {
      POWERTOOLS_TRACE_ENABLED: 'true',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      // Nothing listens there: the segments sent over UDP are lost.
      AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
    };
    // What the workflow's and the consumer's config require (a bucket for the turn's audio, an alert topic).
    const initOnly = {
      AUDIO_BUCKET: 'compile-hints',
      ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:compile-hints',
    };
    const requests: { event?: unknown; env: Record<string, string> }[] =
      name === 'api'
        ? [
            { event: restEvent('GET', '/v1/skills', { authorization: `Bearer ${token}` }), env: {} },
            { event: restEvent('GET', '/health', {}), env: tracing },
          ]
        : [{ env: initOnly }, { env: { ...initOnly, ...tracing } }];
    const called = new Map<string, CalledRange[]>();
    for (const [index, { event, env }] of requests.entries()) {
      const eventPath = join(dir, `event-${index}.json`);
      const coverage = join(dir, `coverage-${index}`);
      if (event) await writeFile(eventPath, JSON.stringify(event));
      const { stdout } = await promisify(execFile)(process.execPath, [probe, entry, ...(event ? [eventPath] : [])], {
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '',
          TZ: 'UTC',
          NODE_ENV: 'production',
          NODE_V8_COVERAGE: coverage,
          AWS_LAMBDA_FUNCTION_NAME: 'compile-hints',
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
          AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'AKIDCOMPILEHINTS',
          AWS_SECRET_ACCESS_KEY: 'compile-hints',
          ASSISTANT_PROFILE: 'aws',
          AUTH: 'local',
          AUTH_SECRET: secret,
          // As deployed (staging, prod): the request lines are written, so the logger's path is trained too.
          LOG_LEVEL: 'info',
          POWERTOOLS_TRACE_ENABLED: 'false',
          ...env,
        },
      });
      if (!/^STATUS 200$/m.test(stdout))
        throw new Error(`the training run of ${entry} did not answer 200:\n${stdout.slice(-2000)}`);
      for (const file of await readdir(coverage)) {
        const { result } = JSON.parse(await readFile(join(coverage, file), 'utf8')) as {
          result: {
            url: string;
            functions: { ranges: { startOffset: number; endOffset: number; count: number }[] }[];
          }[];
        };
        for (const script of result) {
          const ranges = script.functions
            .map((fn) => fn.ranges[0]!)
            .filter((range) => range.count > 0)
            .map((range) => ({ start: range.startOffset, end: range.endOffset }));
          called.set(script.url, [...(called.get(script.url) ?? []), ...ranges]);
        }
      }
    }
    return called;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
