import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { runInThisContext } from 'node:vm';
import * as Type from 'typebox';
import type { TSchema } from 'typebox';
import { Guard } from 'typebox/guard';
import * as Value from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationService } from '../../core/conversation/conversation-service.js';
import type { SkillRegistry } from '../../core/skills/skill-registry.js';
import { Hs256TokenAuthority } from '../../adapters/local/hs256-token-authority.js';
import { EnvSchema } from '../../entrypoints/composition/env-schema.js';
import { buildApp } from '../../entrypoints/http/app.js';
import { StringRecord } from '../../entrypoints/http/schemas.js';
import {
  convertFast,
  schemaKey,
  valueOnFirstUse,
  type GeneratedSchema,
} from '../../entrypoints/lambda/api/typebox-on-first-use.js';
import { loadLambdaConfig } from '../../entrypoints/lambda/shared/lambda-config.js';
import { DEFAULT_MAX_TEXT_LENGTH } from '../../scripts/api-app-at-build.js';
import { ENTRY_FILE } from '../../scripts/bundle-lambda.js';
import { configurationSchemas, generatedCheck, generatedDefaults } from '../../scripts/lambda-typebox.js';
import { createTestTable, startDynalite } from '../fakes/aws/dynamodb-test-table.js';
import { restApiEvent, type HttpCall } from '../fakes/lambda/api-gateway-events.js';
import { bundleForTest } from './support/deployed-function.js';

const SECRET = 'typebox-on-first-use-secret-of-32-chars!';
const schemas = await configurationSchemas();

/** The generated code evaluated as the bundle evaluates it, with TypeBox's Guard in scope. */
const compiled = (schema: TSchema): GeneratedSchema => ({
  check: (
    runInThisContext(`(Guard) => ${generatedCheck(schema)}`) as (guard: typeof Guard) => GeneratedSchema['check']
  )(Guard),
  defaults: runInThisContext(generatedDefaults(schema)) as GeneratedSchema['defaults'],
});

/** Values a variable of each schema is tried with: valid ones, every kind of wrong one. */
const STRINGS = [
  '',
  ' ',
  'a',
  'ab',
  'x'.repeat(300),
  'local',
  'aws',
  'UTC',
  'en-US',
  'https://example.com',
  'redis://r',
  'arn:aws:states:us-east-1:123456789012:stateMachine:turns',
  '/params',
  '{"A":"b"}',
  'info',
  'warn',
  'tb_1',
];
const NUMBERS = [0, -1, 1, 1.5, 60, 500, 3000, 65535, 65536, 1e9, Number.NaN, Number.POSITIVE_INFINITY, -0];
const OTHERS = [undefined, null, true, false, [], {}, 12n];

function variants(schema: TSchema): Record<string, unknown>[] {
  const properties = (schema as { properties: Record<string, TSchema> }).properties;
  const base = Value.Default(schema, {}) as Record<string, unknown>;
  const out: Record<string, unknown>[] = [{}, { ...base }, { ...base, EXTRA: 'x' }];
  for (const key of Object.keys(properties)) {
    for (const value of [...STRINGS, ...NUMBERS, ...OTHERS]) out.push({ ...base, [key]: value });
    const without = { ...base };
    delete without[key];
    out.push(without);
  }
  return out;
}

describe('TypeBox off the Lambda API cold path (scripts/lambda-typebox.ts)', () => {
  it('generates a check that accepts and rejects exactly what Value.Check does, for each configuration schema', () => {
    expect(schemas.map((schema) => Object.keys(schema.properties as object).length)).toEqual([
      Object.keys(EnvSchema.properties).length,
      2,
      5,
    ]);
    for (const schema of schemas) {
      const { check } = compiled(schema);
      const values = variants(schema);
      const accepted = values.filter((value) => Value.Check(schema, value)).length;
      // Both answers occur, so the comparison can tell a check that accepts or rejects everything.
      expect(accepted).toBeGreaterThan(0);
      expect(accepted).toBeLessThan(values.length);
      for (const value of values) expect([value, check(value)]).toEqual([value, Value.Check(schema, value)]);
    }
  });

  it('generates defaults that fill in what Value.Default does, in the same key order', () => {
    for (const schema of schemas) {
      const { defaults } = compiled(schema);
      for (const value of variants(schema)) {
        const ours = defaults(structuredClone(value));
        const theirs = Value.Default(schema, structuredClone(value)) as Record<string, unknown>;
        expect(ours).toEqual(theirs);
        expect(Object.keys(ours as object)).toEqual(Object.keys(theirs));
      }
    }
  });

  it('converts what it decides as Value.Convert does, and leaves the rest to it', () => {
    const inputs = [
      ...STRINGS,
      '0',
      '-0',
      '1',
      '12',
      '1.5',
      '-3.7',
      '1e3',
      ' 42 ',
      '0x10',
      '0b11',
      'true',
      'false',
      'TRUE',
      'Infinity',
      '-Infinity',
      'NaN',
      '12abc',
      '9007199254740993',
      '123456789012345678901234567890',
      '.5',
    ];
    const scalars = [Type.Integer(), Type.Number(), Type.String(), Type.Boolean(), Type.Optional(Type.Integer())];
    let decided = 0;
    for (const schema of [...scalars, ...schemas.flatMap((s) => Object.values(s.properties as object) as TSchema[])]) {
      for (const input of [...inputs, ...NUMBERS, ...OTHERS]) {
        const ours = convertFast(schema, input);
        if (typeof ours === 'symbol') continue;
        decided += 1;
        expect([schemaKey(schema), input, ours]).toEqual([schemaKey(schema), input, Value.Convert(schema, input)]);
      }
    }
    expect(decided).toBeGreaterThan(100);
    for (const schema of schemas) {
      for (const value of variants(schema)) {
        const strings = Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]),
        );
        const ours = convertFast(schema, structuredClone(strings));
        if (typeof ours !== 'symbol') expect(ours).toEqual(Value.Convert(schema, structuredClone(strings)));
      }
    }
  });

  it("builds Type.Record(Type.String(), value) as TypeBox does, down to the properties' order and descriptors", () => {
    for (const [value, options] of [
      [Type.Unknown(), undefined],
      [Type.Number(), { description: 'Milliseconds per step.' }],
      [Type.Union([Type.String(), Type.Number()]), {}],
    ] as const) {
      const ours = StringRecord(value, options);
      const theirs = Type.Record(Type.String(), value, options);
      expect(Object.getOwnPropertyDescriptors(ours)).toEqual(Object.getOwnPropertyDescriptors(theirs));
      expect(Object.getOwnPropertyNames(ours)).toEqual(Object.getOwnPropertyNames(theirs));
      expect(schemaKey(ours)).toBe(schemaKey(theirs));
    }
  });

  it('answers through the generated code for its schemas and through TypeBox for any other', () => {
    let loads = 0;
    const value = valueOnFirstUse(new Map(schemas.map((schema) => [schemaKey(schema), compiled(schema)])), () => {
      loads += 1;
      return Value;
    });
    const [env] = schemas;
    const raw = value.Convert(schemas[2]!, { DEADLINE_MARGIN_MS: '250', IDEMPOTENCY_TABLE: 'table' });
    expect(raw).toEqual({ DEADLINE_MARGIN_MS: 250, IDEMPOTENCY_TABLE: 'table' });
    const filled = value.Default(env!, { ASSISTANT_PROFILE: 'aws' });
    expect(value.Check(env!, filled)).toBe(true);
    expect(value.Check(env!, { ...(filled as object), PORT: 'x' })).toBe(false);
    expect(loads).toBe(0);
    expect(value.Check(Type.String(), 'x')).toBe(true);
    expect(value.Convert(Type.Integer(), 'true')).toBe(1);
    expect([...value.Errors(env!, { ...(filled as object), PORT: 'x' })]).toEqual([
      ...Value.Errors(env!, { ...(filled as object), PORT: 'x' }),
    ]);
    expect(loads).toBe(3);
  });

  describe('the API bundle', () => {
    let bundle: Awaited<ReturnType<typeof bundleForTest>>;
    beforeAll(async () => {
      bundle = await bundleForTest('api');
    }, 60_000);
    afterAll(async () => {
      await bundle?.remove();
    });

    const env = {
      PATH: process.env.PATH ?? '',
      TZ: 'UTC',
      AWS_LAMBDA_FUNCTION_NAME: 'typebox-test',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'test',
      ASSISTANT_PROFILE: 'aws',
      AUTH: 'local',
      AUTH_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      POWERTOOLS_TRACE_ENABLED: 'false',
    };
    const probe = async (extraEnv: Record<string, string>, events: unknown[]) => {
      const file = join(bundle.outDir, 'probe.mjs');
      await writeFile(
        file,
        [
          "import { createRequire } from 'node:module';",
          'const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.endsWith("typebox.cjs"));',
          'try {',
          `  const { handler } = await import(${JSON.stringify(pathToFileURL(join(bundle.outDir, ENTRY_FILE)).href)});`,
          '  const answers = [];',
          '  for (const event of JSON.parse(process.argv[2])) {',
          "    const result = await handler(event, { awsRequestId: 'r', getRemainingTimeInMillis: () => 30000 });",
          '    answers.push({ status: result.statusCode, body: result.body, typebox: loaded() });',
          '  }',
          '  console.log(JSON.stringify({ answers }));',
          '} catch (error) {',
          '  console.log(JSON.stringify({ error: String(error.message), typebox: loaded() }));',
          '}',
        ].join('\n'),
      );
      const { stdout } = await promisify(execFile)(process.execPath, [file, JSON.stringify(events)], {
        env: { ...env, ...extraEnv },
      });
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        answers?: { status: number; body: string; typebox: boolean }[];
        error?: string;
        typebox?: boolean;
      };
    };

    it('starts and answers /health without loading TypeBox, and loads it for the first validated request', async () => {
      const token = await new Hs256TokenAuthority({
        secret: SECRET,
        issuer: 'voice-assistant-local',
        audience: 'voice-assistant',
      }).mint({ userId: 'typebox', ttlSeconds: 3600 });
      const authorization = `Bearer ${token}`;
      const { answers } = await probe({}, [
        restApiEvent({ method: 'GET', url: '/health' }),
        restApiEvent({ method: 'GET', url: '/v1/skills', headers: { authorization } }),
        restApiEvent({ method: 'GET', url: '/v1/conversations/not.an.id', headers: { authorization } }),
      ]);
      expect(answers!.map(({ status, typebox }) => ({ status, typebox }))).toEqual([
        { status: 200, typebox: false },
        { status: 200, typebox: false },
        { status: 400, typebox: true },
      ]);
      expect(answers![2]!.body).toContain('/id');
    }, 30_000);

    it('answers valid validated requests with the generated checks, and refused ones with TypeBox as the server does', async () => {
      const authority = new Hs256TokenAuthority({
        secret: SECRET,
        issuer: 'voice-assistant-local',
        audience: 'voice-assistant',
      });
      const headers = { authorization: `Bearer ${await authority.mint({ userId: 'typebox', ttlSeconds: 3600 })}` };
      const dynamo = await startDynalite();
      const table = await createTestTable(dynamo.endpoint);
      try {
        const turns = '/v1/conversations/c_1/turns';
        const valid: HttpCall[] = [
          // params, headers and body (the default text limit's) valid; a format no decoder takes: 415, no store.
          {
            method: 'POST',
            url: turns,
            headers: { ...headers, 'idempotency-key': 'k-1' },
            body: { audio: { data: 'AAAA', format: 'flac' } },
          },
          { method: 'GET', url: `${turns}?limit=10`, headers },
          { method: 'GET', url: '/v1/conversations?limit=10', headers },
        ];
        const refused: HttpCall[] = [
          { method: 'GET', url: '/v1/conversations/not.an.id', headers },
          { method: 'GET', url: '/v1/conversations?limit=1000', headers },
          { method: 'POST', url: turns, headers, body: { text: 'x'.repeat(DEFAULT_MAX_TEXT_LENGTH + 1) } },
          { method: 'POST', url: turns, headers: { ...headers, 'idempotency-key': 'a b' }, body: { text: 'hi' } },
          { method: 'PATCH', url: '/v1/me/preferences', headers, body: { units: 'kelvin' } },
        ].map((call, index) => ({ ...call, requestId: `refused-${index}` }) as HttpCall);
        const { answers } = await probe(
          { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, DYNAMODB_TABLE: table.tableName },
          [...valid, ...refused].map(restApiEvent),
        );
        expect(answers!.map(({ status, typebox }) => ({ status, typebox }))).toEqual([
          { status: 415, typebox: false },
          { status: 404, typebox: false },
          { status: 200, typebox: false },
          ...refused.map(() => ({ status: 400, typebox: true })),
        ]);
        // The server's validators (TypeBox's Compile) refuse the same requests with the same problem, byte for byte.
        const server = await buildApp({
          handleTurn: () => Promise.reject(new Error('not called')),
          conversations: {} as ConversationService,
          skills: { skills: [] } as unknown as SkillRegistry,
          verifier: authority,
          maxTextLength: DEFAULT_MAX_TEXT_LENGTH,
          logger: false,
          docs: false,
        });
        try {
          for (const [index, call] of refused.entries()) {
            const response = await server.inject({
              method: call.method,
              url: call.url,
              headers: { ...call.headers, 'x-request-id': call.requestId! },
              ...(call.body && { payload: call.body }),
            });
            expect(response.body).toContain('"errors":[{');
            expect([call.url, answers![valid.length + index]!.body]).toEqual([call.url, response.body]);
          }
        } finally {
          await server.close();
        }
      } finally {
        await table.drop();
        await dynamo.stop();
      }
    }, 30_000);

    it('reports a bad configuration as loadLambdaConfig does, with TypeBox loaded for the messages', async () => {
      const bad = { RATE_LIMIT_MAX: 'lots', DEADLINE_MARGIN_MS: '-5', LLM_TEMPERATURE: '0.5e1', HOST: '' };
      const expected = await loadLambdaConfig({ ...env, ...bad }).then(
        () => 'no error',
        (error: Error) => error.message,
      );
      expect(expected).toContain('RATE_LIMIT_MAX');
      expect(await probe(bad, [])).toEqual({ error: expected, typebox: true });
      // A value the fast path leaves to TypeBox ("TRUE" is 1 to Value.Convert) is converted and accepted by it.
      const { answers } = await probe({ AUTH_FAILURE_LIMIT: 'TRUE' }, [
        restApiEvent({ method: 'GET', url: '/health' }),
      ]);
      expect(answers!.map(({ status, typebox }) => ({ status, typebox }))).toEqual([{ status: 200, typebox: true }]);
    }, 30_000);
  });
});
