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
export const WEB_BUCKET = 'voice-assistant-dev-datastack-1a2b3c-webbucket-4d5e6f';
export const DISTRIBUTION_ID = 'E2FIXTURE0DIST';
export const OUTPUTS = {
  ApiUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com/v1stage',
  UserPoolId: 'us-east-1_AbCdEf',
  UserPoolClientId: '4example0client0id',
  HostedUiDomain: 'https://voice-assistant-fixture-dev-123456789012.auth.us-east-1.amazoncognito.com',
  WebUrl: 'https://d111111abcdef8.cloudfront.net',
  WebBucketName: WEB_BUCKET,
  DistributionId: DISTRIBUTION_ID,
};
const AWS_VARIABLES = /^AWS_|^ARTIFACT_BUCKET$/;

/** Per test: a fresh fake, a temporary folder with small bundles and a built web client (tests may repoint them). */
export const state = {} as {
  fake: CloudFormationFake;
  work: string;
  bundles: string;
  web: string;
  /** The folders `npm run build:web` was asked to build into, in order (the build is a stand-in). */
  webBuilds: string[];
};

/** A client shaped like Vite's output: index.html naming content-hashed assets, and an unhashed public file. */
export async function writeWebBuild(dir: string, version: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'assets'), { recursive: true });
  const hash = version === 'v1' ? 'Ab12Cd34' : `Zz${version.padStart(6, '0')}`;
  await writeFile(
    join(dir, 'index.html'),
    `<!doctype html><script type="module" src="/assets/index-${hash}.js"></script>` +
      `<link rel="stylesheet" href="/assets/index-Qw12Er34.css"><div id="root"></div>\n`,
  );
  await writeFile(join(dir, 'assets', `index-${hash}.js`), `console.log('client ${version}');\n`);
  await writeFile(join(dir, 'assets', `chat-${hash}.js`), `export const chat = '${version}';\n`);
  await writeFile(join(dir, 'assets', 'index-Qw12Er34.css'), 'body { margin: 0; }\n');
  await writeFile(join(dir, 'pcm-worklet.js'), 'registerProcessor("pcm", class {});\n');
}

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
    state.web = join(state.work, 'web');
    state.webBuilds = [];
    await writeWebBuild(state.web, 'v1');
    state.fake = await startCloudFormationFake([BUCKET, WEB_BUCKET], {
      deniedBuckets: [DENIED_BUCKET],
      deniedDistributions: ['E2DENIED'],
      listPageSize: 3,
    });
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
    [
      '--templates',
      templates,
      '--bundle-dir',
      state.bundles,
      '--skip-bundle',
      '--artifact-bucket',
      BUCKET,
      '--web-dir',
      state.web,
      ...args,
    ],
    {
      output: { out: (line = '') => out.push(line), err: (line = '') => err.push(line) },
      env: process.env,
      root,
      stdin,
      buildWeb: async (dir) => {
        state.webBuilds.push(dir);
        await writeWebBuild(dir, 'v1');
      },
      polling: { initialMs: 1, maxMs: 5, sleep: (ms) => new Promise((done) => setTimeout(done, ms)) },
      now: () => new Date('2026-12-01T00:25:00Z'),
    },
  );
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

export const cfnActions = () =>
  state.fake.calls.filter((call) => call.service === 'cloudformation').map((call) => call.action);
/** The keys of one S3 action's calls on a bucket (the artifact bucket unless told). */
export const s3Calls = (action: string, bucket = BUCKET) =>
  state.fake.calls
    .filter((call) => call.action === action && call.params.Bucket === bucket)
    .map((call) => call.params.Key ?? '');
export const webCalls = () =>
  state.fake.calls.filter((call) => call.params.Bucket === WEB_BUCKET || call.service === 'cloudfront');
export const createChangeSetParams = () => {
  const call = state.fake.calls.find((candidate) => candidate.action === 'CreateChangeSet');
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(call?.params ?? {})) {
    const match = /^Parameters\.member\.(\d+)\.ParameterKey$/.exec(name);
    if (match) params[value] = call?.params[`Parameters.member.${match[1]}.ParameterValue`] ?? '';
  }
  return { call: call?.params ?? {}, params };
};
export const stored = (key: string, bucket = BUCKET) => state.fake.objects.get(`${bucket}/${key}`);
export const keyOf = (url: unknown) => decodeURIComponent(String(url).replace(/^https:\/\/[^/]+\//, ''));
