import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseCfnYaml } from '../../deploy/tool/cfn-yaml.js';
import { runDeployCommand } from '../../deploy/tool/deploy-command.js';
import { startCloudFormationFake, type CloudFormationFake } from '../fakes/aws/cloudformation-fake.js';
import { skipWhen } from '../support/skip-reason.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const templates = join(root, 'test/deploy/fixtures/cloudformation');
const BUCKET = 'deploy-test-artifacts';
const OUTPUTS = {
  ApiUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com',
  UserPoolId: 'us-east-1_AbCdEf',
  UserPoolClientId: '4example0client0id',
  HostedUiDomain: 'voice-assistant-fixture-dev.auth.us-east-1.amazoncognito.com',
  WebUrl: 'https://d111111abcdef8.cloudfront.net',
};
const AWS_VARIABLES = /^AWS_|^ARTIFACT_BUCKET$/;

let fake: CloudFormationFake;
let work: string;
let bundles: string;
let savedEnv: NodeJS.ProcessEnv;

/** Small bundles shaped like `npm run bundle`'s: an entry and a lazily loaded chunk per function. */
async function writeBundles(dir: string, version: string): Promise<void> {
  for (const fn of ['api', 'events', 'workflow']) {
    await mkdir(join(dir, fn, 'chunks'), { recursive: true });
    await writeFile(join(dir, fn, 'index.mjs'), `export const handler = async () => '${fn} ${version}';\n`);
    await writeFile(join(dir, fn, 'chunks', 'lazy.mjs'), `export const lazy = '${fn}';\n`);
  }
}

/** The SDK reads credentials and endpoints from process.env; every AWS variable of the machine is taken away. */
async function isolateAwsEnvironment(credentials: boolean): Promise<void> {
  for (const key of Object.keys(process.env)) if (AWS_VARIABLES.test(key)) delete process.env[key];
  const empty = join(work, 'empty-aws-file');
  await writeFile(empty, '');
  Object.assign(process.env, {
    AWS_CONFIG_FILE: empty,
    AWS_SHARED_CREDENTIALS_FILE: empty,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: fake.url,
    AWS_MAX_ATTEMPTS: '1',
    ...(credentials && { AWS_ACCESS_KEY_ID: 'AKIDDEPLOYTEST', AWS_SECRET_ACCESS_KEY: 'deploy-test-secret' }),
  });
}

async function deploy(args: string[], options: { tty?: boolean; answer?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const stdin = Object.assign(Readable.from(options.answer ? [options.answer] : []), { isTTY: options.tty ?? false });
  const code = await runDeployCommand(
    ['--templates', templates, '--bundle-dir', bundles, '--skip-bundle', '--artifact-bucket', BUCKET, ...args],
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

const cfnActions = () => fake.calls.filter((call) => call.service === 'cloudformation').map((call) => call.action);
const s3Calls = (action: string) =>
  fake.calls.filter((call) => call.action === action).map((call) => call.params.Key ?? '');
const createChangeSetParams = () => {
  const call = fake.calls.find((candidate) => candidate.action === 'CreateChangeSet');
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(call?.params ?? {})) {
    const match = /^Parameters\.member\.(\d+)\.ParameterKey$/.exec(name);
    if (match) params[value] = call?.params[`Parameters.member.${match[1]}.ParameterValue`] ?? '';
  }
  return { call: call?.params ?? {}, params };
};
/** The parts of a packaged template the assertions read. */
interface PackagedTemplate {
  AWSTemplateFormatVersion: string;
  Resources: Record<
    string,
    { Properties: { TemplateURL?: string; Parameters?: Record<string, unknown> } & Record<string, unknown> }
  >;
}
const properties = (template: PackagedTemplate, logicalId: string) => {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`the template has no ${logicalId}`);
  return found.Properties;
};
const stored = (key: string) => fake.objects.get(`${BUCKET}/${key}`);
const keyOf = (url: unknown) => decodeURIComponent(String(url).replace(/^https:\/\/[^/]+\//, ''));

beforeAll(() => {
  savedEnv = { ...process.env };
});

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'deploy-test-'));
  bundles = join(work, 'lambda');
  await writeBundles(bundles, 'v1');
  fake = await startCloudFormationFake([BUCKET], { deniedBuckets: ['someone-elses-bucket'] });
  fake.script({ outputs: OUTPUTS });
  await isolateAwsEnvironment(true);
});

afterEach(async () => {
  await fake.close();
  await rm(work, { recursive: true, force: true });
  process.env = { ...savedEnv };
});

afterAll(() => {
  process.env = savedEnv;
});

describe('npm run deploy --dry-run', () => {
  it('runs as the npm script with no credentials, makes no AWS call and prints parameters, keys and resources', async () => {
    await isolateAwsEnvironment(false);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(root, 'node_modules/tsx/dist/cli.mjs'),
        join(root, 'scripts/deploy.ts'),
        '--env',
        'dev',
        '--dry-run',
        '--skip-bundle',
        '--bundle-dir',
        bundles,
        '--templates',
        templates,
        '--parameter',
        'AlarmEmail=ops@example.com',
      ],
      { cwd: root, env: { ...process.env, ARTIFACT_BUCKET: BUCKET } },
    );
    expect(fake.calls).toEqual([]);
    expect(stdout).toContain('stack voice-assistant-dev in us-east-1, artifacts in s3://deploy-test-artifacts');
    expect(stdout).toMatch(/EnvironmentName\s+dev\s+computed/);
    expect(stdout).toMatch(/DomainPrefix\s+voice-assistant-fixture\s+environment file/);
    expect(stdout).toMatch(/AlarmEmail\s+ops@example\.com\s+command line/);
    expect(stdout).toMatch(/ApiCodeKey\s+voice-assistant\/dev\/lambda\/api-[0-9a-f]{12}\.zip\s+computed/);
    expect(stdout).toMatch(
      /WorkflowDefinitionKey\s+voice-assistant\/dev\/workflow\/turn-workflow-[0-9a-f]{12}\.asl\.json/,
    );
    expect(stdout).toMatch(/chunks\/lazy\.mjs\s+\d+ B/);
    expect(stdout).toMatch(/template main\/Api\/Auth\s+voice-assistant\/dev\/templates\/auth-[0-9a-f]{12}\.yaml/);
    expect(stdout).toMatch(/main\/Api\/Auth\s+UserPool\s+AWS::Cognito::UserPool/);
    expect(stdout).toMatch(/main\/Data\s+Table\s+AWS::DynamoDB::Table/);
    expect(stdout).toContain('Dry run: no AWS call was made.');
  });

  it('gives the same keys on every run: the zips are byte-for-byte reproducible', async () => {
    const first = await deploy(['--env', 'dev', '--dry-run']);
    const second = await deploy(['--env', 'dev', '--dry-run']);
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    await writeBundles(bundles, 'v2');
    const changed = await deploy(['--env', 'dev', '--dry-run']);
    expect(changed.stdout).not.toBe(first.stdout);
  });
});

describe('npm run deploy against the CloudFormation and S3 fakes', () => {
  it('uploads content-addressed artifacts, creates and executes a change set, and prints the outputs', async () => {
    const { code, stdout, stderr } = await deploy(['--env', 'dev', '--yes']);
    expect(stderr).not.toContain('error');
    expect(code).toBe(0);

    const uploads = s3Calls('PutObject');
    expect(uploads).toHaveLength(8);
    expect(s3Calls('HeadObject')).toEqual(uploads);
    for (const key of uploads) {
      const hex = createHash('sha256')
        .update(stored(key) ?? '')
        .digest('hex');
      expect(key).toContain(`-${hex.slice(0, 12)}.`);
    }
    expect(uploads.slice(0, 4)).toEqual([
      expect.stringMatching(/^voice-assistant\/dev\/lambda\/api-[0-9a-f]{12}\.zip$/),
      expect.stringMatching(/^voice-assistant\/dev\/lambda\/events-[0-9a-f]{12}\.zip$/),
      expect.stringMatching(/^voice-assistant\/dev\/lambda\/workflow-[0-9a-f]{12}\.zip$/),
      expect.stringMatching(/^voice-assistant\/dev\/workflow\/turn-workflow-[0-9a-f]{12}\.asl\.json$/),
    ]);
    expect(cfnActions()).toEqual([
      'DescribeStacks',
      'CreateChangeSet',
      'DescribeChangeSet',
      'DescribeChangeSet',
      'DescribeChangeSet',
      'DescribeChangeSet',
      'DescribeChangeSet',
      'DescribeChangeSet',
      'DescribeStackEvents',
      'ExecuteChangeSet',
      ...cfnActions().slice(10),
    ]);
    expect(
      cfnActions()
        .slice(10)
        .every((action) => ['DescribeStackEvents', 'DescribeStacks'].includes(action)),
    ).toBe(true);

    const { call, params } = createChangeSetParams();
    expect(call).toMatchObject({
      StackName: 'voice-assistant-dev',
      ChangeSetType: 'CREATE',
      ChangeSetName: 'deploy-20261201002500',
      IncludeNestedStacks: 'true',
      'Capabilities.member.1': 'CAPABILITY_IAM',
      'Capabilities.member.2': 'CAPABILITY_NAMED_IAM',
      'Capabilities.member.3': 'CAPABILITY_AUTO_EXPAND',
      'Tags.member.1.Key': 'Project',
      'Tags.member.2.Value': 'dev',
    });
    expect(keyOf(call.TemplateURL)).toBe(uploads[7]);
    expect(call.TemplateURL).toMatch(/^https:\/\/deploy-test-artifacts\.s3\.us-east-1\.amazonaws\.com\//);
    expect(params).toMatchObject({
      EnvironmentName: 'dev',
      ArtifactBucket: BUCKET,
      DomainPrefix: 'voice-assistant-fixture',
    });

    // Each zip is what Lambda would report: CodeSha256 is the base64 SHA-256 of the uploaded bytes.
    for (const [fn, prefix] of [
      ['api', 'Api'],
      ['events', 'Events'],
      ['workflow', 'Workflow'],
    ] as const) {
      const zip = stored(params[`${prefix}CodeKey`] ?? '');
      expect(zip).toBeDefined();
      expect(params[`${prefix}CodeSha256`]).toBe(createHash('sha256').update(zip!).digest('base64'));
      const entries = unzipSync(zip!);
      expect(Object.keys(entries)).toEqual(['chunks/lazy.mjs', 'index.mjs']);
      expect(Buffer.from(entries['index.mjs']!).toString()).toContain(`'${fn} v1'`);
    }
    expect(stored(params.WorkflowDefinitionKey ?? '')?.toString()).toBe(
      await readFile(join(root, 'deploy/workflow/turn-workflow.asl.json'), 'utf8'),
    );

    // Every TemplateURL, at every depth, names an uploaded template; the intrinsics survive packaging.
    const main = parseCfnYaml(stored(uploads[7]!)!.toString()) as PackagedTemplate;
    const api = parseCfnYaml(stored(keyOf(properties(main, 'Api').TemplateURL))!.toString()) as PackagedTemplate;
    const auth = parseCfnYaml(stored(keyOf(properties(api, 'Auth').TemplateURL))!.toString()) as PackagedTemplate;
    expect(stored(keyOf(properties(main, 'Data').TemplateURL))).toBeDefined();
    expect(properties(auth, 'UserPoolDomain').Domain).toEqual({ Ref: 'DomainPrefix' });
    expect(properties(main, 'Api').Parameters?.TableName).toEqual({ 'Fn::GetAtt': ['Data', 'Outputs.TableName'] });
    expect(main.AWSTemplateFormatVersion).toBe('2010-09-09');

    expect(stdout).toMatch(/Add\s+Table\s+AWS::DynamoDB::Table\s+main\/Data/);
    expect(stdout).toMatch(/Add\s+UserPool\s+AWS::Cognito::UserPool\s+main\/Api\/Auth/);
    expect(stderr).toMatch(/CREATE_IN_PROGRESS\s+Api \(AWS::CloudFormation::Stack\)/);
    expect(stderr).toMatch(/CREATE_COMPLETE\s+voice-assistant-dev \(AWS::CloudFormation::Stack\)/);
    expect(stdout).toContain('Deployed voice-assistant-dev: CREATE_COMPLETE');
    for (const [name, value] of Object.entries(OUTPUTS)) expect(stdout).toMatch(new RegExp(`${name}\\s+${value}`));

    // The second deploy of the same bundles uploads nothing and updates the stack.
    fake.calls.length = 0;
    const again = await deploy(['--env', 'dev', '--yes']);
    expect(again.code).toBe(0);
    expect(s3Calls('PutObject')).toEqual([]);
    expect(s3Calls('HeadObject')).toEqual(uploads);
    expect(createChangeSetParams().call.ChangeSetType).toBe('UPDATE');
    expect(again.stderr).toContain('already uploaded');
    expect(again.stdout).toMatch(/Modify\s+ApiFunction\s+AWS::Lambda::Function\s+main\/Api\s+False/);

    // A changed bundle uploads its zip only (and the templates, unchanged, stay where they are).
    fake.calls.length = 0;
    await writeFile(join(bundles, 'api', 'index.mjs'), "export const handler = async () => 'api v2';\n");
    expect((await deploy(['--env', 'dev', '--yes'])).code).toBe(0);
    expect(s3Calls('PutObject')).toEqual([expect.stringMatching(/^voice-assistant\/dev\/lambda\/api-/)]);
  });

  it('says "no changes", deletes the empty change set and exits 0', async () => {
    fake.seedStack('voice-assistant-dev', 'UPDATE_COMPLETE');
    fake.script({ changeSet: 'no changes' });
    const { code, stdout } = await deploy(['--env', 'dev', '--yes']);
    expect(code).toBe(0);
    expect(stdout).toContain('No changes: voice-assistant-dev already matches');
    expect(cfnActions()).toEqual([
      'DescribeStacks',
      'CreateChangeSet',
      'DescribeChangeSet',
      'DescribeChangeSet',
      'DeleteChangeSet',
    ]);
  });

  it('reports a failed change set with its reason and does not execute it', async () => {
    fake.script({ changeSet: { failed: 'Parameter validation failed: parameter value dev-x for LogRetentionDays' } });
    const { code, stderr } = await deploy(['--env', 'dev', '--yes']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: The change set failed: Parameter validation failed: parameter value dev-x');
    expect(cfnActions()).not.toContain('ExecuteChangeSet');
  });

  it('reports a rollback with the failing resource inside the nested stack and its reason', async () => {
    fake.script({
      execution: {
        failure: {
          nestedIn: 'Data',
          logicalId: 'Table',
          type: 'AWS::DynamoDB::Table',
          reason: 'Resource handler returned message: "Table already exists: voice-assistant-dev"',
        },
      },
    });
    const { code, stderr } = await deploy(['--env', 'dev', '--yes']);
    expect(code).toBe(1);
    expect(stderr).toContain('The deploy failed: the stack voice-assistant-dev is ROLLBACK_COMPLETE');
    expect(stderr).toMatch(
      /main\/Data\/Table \(AWS::DynamoDB::Table\) CREATE_FAILED: Resource handler returned message: "Table already exists/,
    );
    expect(stderr).toMatch(/main\/Data \(AWS::CloudFormation::Stack\) CREATE_FAILED: Embedded stack/);
    expect(stderr).toContain('delete the stack (aws cloudformation delete-stack --stack-name voice-assistant-dev)');
    expect(stderr).toMatch(/ROLLBACK_IN_PROGRESS\s+voice-assistant-dev/);
  });

  it('refuses a stack left in ROLLBACK_COMPLETE and says to delete it first', async () => {
    fake.seedStack('voice-assistant-dev', 'ROLLBACK_COMPLETE');
    const { code, stderr } = await deploy(['--env', 'dev', '--yes']);
    expect(code).toBe(1);
    expect(stderr).toContain('is in ROLLBACK_COMPLETE');
    expect(stderr).toContain('Delete it first (aws cloudformation delete-stack --stack-name voice-assistant-dev)');
    expect(cfnActions()).toEqual(['DescribeStacks']);
  });

  it('does not execute without --yes when stdin is not a terminal', async () => {
    const { code, stdout, stderr } = await deploy(['--env', 'dev']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/Add\s+HttpApi/);
    expect(stderr).toContain('stdin is not a terminal');
    expect(stderr).toContain('Pass --yes');
    expect(cfnActions()).not.toContain('ExecuteChangeSet');
  });

  it('asks on a terminal and executes only on yes', async () => {
    const declined = await deploy(['--env', 'dev'], { tty: true, answer: 'n\n' });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('Not executed; the change set is left for review');
    expect(cfnActions()).not.toContain('ExecuteChangeSet');
    const accepted = await deploy(['--env', 'dev'], { tty: true, answer: 'y\n' });
    expect(accepted.code).toBe(0);
    expect(cfnActions()).toContain('ExecuteChangeSet');
    expect(accepted.stdout).toContain('Deployed voice-assistant-dev: CREATE_COMPLETE');
  });

  it('--package-only uploads the artifacts and writes the packaged template and a configuration per environment', async () => {
    const out = join(work, 'out');
    const { code, stdout } = await deploy(['--package-only', '--out', out]);
    expect(code).toBe(0);
    expect(cfnActions()).toEqual([]);
    const uploads = s3Calls('PutObject');
    expect(uploads).toHaveLength(7);
    expect(uploads.every((key) => key.startsWith('voice-assistant/pipeline/'))).toBe(true);
    const packaged = await readFile(join(out, 'packaged/main.packaged.yaml'), 'utf8');
    expect(stdout).toContain(join(out, 'packaged/main.packaged.yaml'));
    const main = parseCfnYaml(packaged) as PackagedTemplate;
    expect(uploads).toContain(keyOf(properties(main, 'Api').TemplateURL));
    expect(packaged).toContain('!GetAtt Data.Outputs.TableName');
    for (const env of ['dev', 'staging', 'prod']) {
      const config = JSON.parse(await readFile(join(out, `packaged/${env}.config.json`), 'utf8'));
      expect(config.Tags).toEqual({ Project: 'voice-assistant', Environment: env });
      expect(config.Parameters).toMatchObject({
        EnvironmentName: env,
        ArtifactBucket: BUCKET,
        ApiCodeKey: uploads[0],
        ApiCodeSha256: createHash('sha256').update(stored(uploads[0]!)!).digest('base64'),
        WorkflowDefinitionKey: uploads[3],
        LogRetentionDays: env === 'prod' ? '90' : '7',
      });
    }
  });
});

describe('npm run deploy errors', () => {
  it('says how to provide credentials when there are none, before any call reaches AWS', async () => {
    await isolateAwsEnvironment(false);
    const { code, stderr } = await deploy(['--env', 'dev', '--yes']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: No AWS credentials found');
    expect(stderr).toContain('AWS_PROFILE');
    expect(fake.calls).toEqual([]);
  });

  it('reports access denied with what the identity needs', async () => {
    const { code, stderr } = await deploy(['--env', 'dev', '--yes', '--artifact-bucket', 'someone-elses-bucket']);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'error: Access denied (checking s3://someone-elses-bucket/voice-assistant/dev/lambda/api-',
    );
    expect(stderr).toContain('s3:GetObject/PutObject on the artifact bucket');
    expect(cfnActions()).toEqual([]);
  });

  it('says so when the artifact bucket does not exist', async () => {
    const { code, stderr } = await deploy(['--env', 'dev', '--yes', '--artifact-bucket', 'no-such-bucket']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: The artifact bucket does not exist');
    expect(stderr).toContain('aws s3api create-bucket');
  });

  it('prints the options for --help and exits 2 on an unknown option', async () => {
    const help = await deploy(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--package-only');
    const wrong = await deploy(['--env', 'dev', '--dryrun']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("unknown option '--dryrun'");
  });

  it('names the environments when the one given is unknown', async () => {
    const { code, stderr } = await deploy(['--env', 'qa', '--dry-run']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: Unknown environment "qa".');
    expect(stderr).toContain('dev, staging, prod');
  });

  it('refuses a parameter main.yaml does not declare', async () => {
    const { code, stderr } = await deploy(['--env', 'dev', '--dry-run', '--parameter', 'LogRetention=3']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: Unknown parameter: LogRetention (--parameter); main.yaml does not declare it.');
  });

  it('says how to build the bundles when they are missing', async () => {
    await rm(join(bundles, 'events'), { recursive: true });
    const { code, stderr } = await deploy(['--env', 'dev', '--dry-run']);
    expect(code).toBe(1);
    expect(stderr).toContain('The Lambda bundles are not built');
    expect(stderr).toContain('npm run bundle');
  });

  it('says how to create an artifact bucket when none is given', async () => {
    const args = ['--templates', templates, '--bundle-dir', bundles, '--skip-bundle', '--env', 'dev'];
    const err: string[] = [];
    const code = await runDeployCommand(args, {
      output: { out: () => undefined, err: (line = '') => err.push(line) },
      env: process.env,
      root,
      stdin: process.stdin,
    });
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('No artifact bucket given.');
    expect(err.join('\n')).toContain('put-public-access-block');
  });
});

const realBundles = join(root, 'dist/lambda');
describe(
  'the real bundles',
  skipWhen(!existsSync(join(realBundles, 'api', 'index.mjs')), 'dist/lambda is not built (npm run bundle)'),
  () => {
    it('package into zips whose plan names every function', async () => {
      bundles = realBundles;
      const { code, stdout } = await deploy(['--env', 'prod', '--dry-run']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/api: .* zipped -> voice-assistant\/prod\/lambda\/api-[0-9a-f]{12}\.zip/);
    });
  },
);

const repositoryTemplates = join(root, 'deploy/cloudformation');
describe(
  "the repository's templates",
  skipWhen(!existsSync(join(repositoryTemplates, 'main.yaml')), 'deploy/cloudformation/main.yaml does not exist yet'),
  () => {
    it('package for every environment: each environment file names only declared parameters', async () => {
      for (const env of ['dev', 'staging', 'prod']) {
        const { code, stdout, stderr } = await deploy(['--env', env, '--dry-run', '--templates', repositoryTemplates]);
        expect(stderr, env).not.toContain('error');
        expect(code, env).toBe(0);
        expect(stdout).toMatch(/template main\/\w+\s+voice-assistant\/\w+\/templates\/\w+-[0-9a-f]{12}\.yaml/);
      }
    });
  },
);
