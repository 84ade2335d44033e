import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { runDeployCommand } from '../../../deploy/tool/deploy-command.js';
import { startCloudFormationFake, type CloudFormationFake } from '../../fakes/aws/cloudformation-fake.js';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const templates = join(root, 'test/deploy/fixtures/cloudformation');
export const BUCKET = 'deploy-test-artifacts';
export const DENIED_BUCKET = 'someone-elses-bucket';
export const OUTPUTS = {
  ApiUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com',
  UserPoolId: 'us-east-1_AbCdEf',
  UserPoolClientId: '4example0client0id',
  HostedUiDomain: 'voice-assistant-fixture-dev.auth.us-east-1.amazoncognito.com',
  WebUrl: 'https://d111111abcdef8.cloudfront.net',
};
const AWS_VARIABLES = /^AWS_|^ARTIFACT_BUCKET$/;

/** Per test: a fresh fake, a temporary folder and small bundles in it (tests may point `bundles` elsewhere). */
export const state = {} as { fake: CloudFormationFake; work: string; bundles: string };

/** Small bundles shaped like `npm run bundle`'s: an entry and a lazily loaded chunk per function. */
export async function writeBundles(dir: string, version: string): Promise<void> {
  for (const fn of ['api', 'events', 'workflow']) {
    await mkdir(join(dir, fn, 'chunks'), { recursive: true });
    await writeFile(join(dir, fn, 'index.mjs'), `export const handler = async () => '${fn} ${version}';\n`);
    await writeFile(join(dir, fn, 'chunks', 'lazy.mjs'), `export const lazy = '${fn}';\n`);
  }
}

/** The SDK reads credentials and endpoints from process.env; every AWS variable of the machine is taken away. */
export async function isolateAwsEnvironment(credentials: boolean): Promise<void> {
  for (const key of Object.keys(process.env)) if (AWS_VARIABLES.test(key)) delete process.env[key];
  const empty = join(state.work, 'empty-aws-file');
  await writeFile(empty, '');
  Object.assign(process.env, {
    AWS_CONFIG_FILE: empty,
    AWS_SHARED_CREDENTIALS_FILE: empty,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: state.fake.url,
    AWS_MAX_ATTEMPTS: '1',
    ...(credentials && { AWS_ACCESS_KEY_ID: 'AKIDDEPLOYTEST', AWS_SECRET_ACCESS_KEY: 'deploy-test-secret' }),
  });
}

/** Registers the hooks: the fake and bundles before each test, the process environment restored after it. */
export function useDeployHarness(): void {
  let savedEnv: NodeJS.ProcessEnv;
  beforeAll(() => {
    savedEnv = { ...process.env };
  });
  beforeEach(async () => {
    state.work = await mkdtemp(join(tmpdir(), 'deploy-test-'));
    state.bundles = join(state.work, 'lambda');
    await writeBundles(state.bundles, 'v1');
    state.fake = await startCloudFormationFake([BUCKET], { deniedBuckets: [DENIED_BUCKET] });
    state.fake.script({ outputs: OUTPUTS });
    await isolateAwsEnvironment(true);
  });
  afterEach(async () => {
    await state.fake.close();
    await rm(state.work, { recursive: true, force: true });
    process.env = { ...savedEnv };
  });
  afterAll(() => {
    process.env = savedEnv;
  });
}

/** Runs the command in this process, as a user would type it after `npm run deploy --`, and keeps what it printed. */
export async function deploy(args: string[], options: { tty?: boolean; answer?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const stdin = Object.assign(Readable.from(options.answer ? [options.answer] : []), { isTTY: options.tty ?? false });
  const code = await runDeployCommand(
    ['--templates', templates, '--bundle-dir', state.bundles, '--skip-bundle', '--artifact-bucket', BUCKET, ...args],
    {
      output: { out: (line = '') => out.push(line), err: (line = '') => err.push(line) },
      env: process.env,
      root,
      stdin,
      polling: { initialMs: 1, maxMs: 5, sleep: (ms) => new Promise((done) => setTimeout(done, ms)) },
      now: () => new Date('2026-12-01T00:25:00Z'),
    },
  );
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

export const cfnActions = () =>
  state.fake.calls.filter((call) => call.service === 'cloudformation').map((call) => call.action);
export const s3Calls = (action: string) =>
  state.fake.calls.filter((call) => call.action === action).map((call) => call.params.Key ?? '');
export const createChangeSetParams = () => {
  const call = state.fake.calls.find((candidate) => candidate.action === 'CreateChangeSet');
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(call?.params ?? {})) {
    const match = /^Parameters\.member\.(\d+)\.ParameterKey$/.exec(name);
    if (match) params[value] = call?.params[`Parameters.member.${match[1]}.ParameterValue`] ?? '';
  }
  return { call: call?.params ?? {}, params };
};
export const stored = (key: string) => state.fake.objects.get(`${BUCKET}/${key}`);
export const keyOf = (url: unknown) => decodeURIComponent(String(url).replace(/^https:\/\/[^/]+\//, ''));
