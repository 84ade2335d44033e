import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parseTemplateText } from '../../deploy/cfn-yaml.js';
import { bundleFunction, LAMBDA_FUNCTIONS, type LambdaFunctionName } from '../../scripts/bundle-lambda.js';
import {
  BUCKET,
  cfnActions,
  createChangeSetParams,
  deploy,
  isolateAwsEnvironment,
  keyOf,
  OUTPUTS,
  root,
  s3Calls,
  state,
  stored,
  templates,
  useDeployHarness,
  writeBundles,
} from './support/deploy-harness.js';

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

useDeployHarness();

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
        state.bundles,
        '--templates',
        templates,
        '--parameter',
        'AlarmEmail=ops@example.com',
        '--skip-web',
      ],
      { cwd: root, env: { ...process.env, ARTIFACT_BUCKET: BUCKET } },
    );
    expect(state.fake.calls).toEqual([]);
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
    await writeBundles(state.bundles, 'v2');
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
    const main = parseTemplateText(stored(uploads[7]!)!.toString()) as PackagedTemplate;
    const api = parseTemplateText(stored(keyOf(properties(main, 'Api').TemplateURL))!.toString()) as PackagedTemplate;
    const auth = parseTemplateText(stored(keyOf(properties(api, 'Auth').TemplateURL))!.toString()) as PackagedTemplate;
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
    state.fake.calls.length = 0;
    const again = await deploy(['--env', 'dev', '--yes']);
    expect(again.code).toBe(0);
    expect(s3Calls('PutObject')).toEqual([]);
    expect(s3Calls('HeadObject')).toEqual(uploads);
    expect(createChangeSetParams().call.ChangeSetType).toBe('UPDATE');
    expect(again.stderr).toContain('already uploaded');
    expect(again.stdout).toMatch(/Modify\s+ApiFunction\s+AWS::Lambda::Function\s+main\/Api\s+False/);

    // A changed bundle uploads its zip only (and the templates, unchanged, stay where they are).
    state.fake.calls.length = 0;
    await writeFile(join(state.bundles, 'api', 'index.mjs'), "export const handler = async () => 'api v2';\n");
    expect((await deploy(['--env', 'dev', '--yes'])).code).toBe(0);
    expect(s3Calls('PutObject')).toEqual([expect.stringMatching(/^voice-assistant\/dev\/lambda\/api-/)]);
  });

  it('says "no changes", deletes the empty change set, still publishes the web client and exits 0', async () => {
    state.fake.seedStack('voice-assistant-dev', 'UPDATE_COMPLETE', OUTPUTS);
    state.fake.script({ changeSet: 'no changes' });
    const { code, stdout } = await deploy(['--env', 'dev', '--yes']);
    expect(code).toBe(0);
    expect(stdout).toContain('No changes: voice-assistant-dev already matches');
    expect(cfnActions()).toEqual([
      'DescribeStacks',
      'CreateChangeSet',
      'DescribeChangeSet',
      'DescribeChangeSet',
      'DeleteChangeSet',
      // The web publish reads the outputs of the stack as it is.
      'DescribeStacks',
    ]);
    expect(stdout).toContain('Published the web client: 6 uploaded');
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
    const out = join(state.work, 'out');
    const { code, stdout } = await deploy(['--package-only', '--out', out]);
    expect(code).toBe(0);
    expect(cfnActions()).toEqual([]);
    const uploads = s3Calls('PutObject');
    expect(uploads).toHaveLength(7);
    expect(uploads.every((key) => key.startsWith('voice-assistant/pipeline/'))).toBe(true);
    const packaged = await readFile(join(out, 'packaged/main.packaged.yaml'), 'utf8');
    expect(stdout).toContain(join(out, 'packaged/main.packaged.yaml'));
    const main = parseTemplateText(packaged) as PackagedTemplate;
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

describe('the real bundles', () => {
  it('package into zips whose plan names every function', async () => {
    const outRoot = await mkdtemp(join(tmpdir(), 'real-bundles-'));
    try {
      for (const name of Object.keys(LAMBDA_FUNCTIONS) as LambdaFunctionName[]) await bundleFunction(name, outRoot);
      state.bundles = outRoot;
      const { code, stdout } = await deploy(['--env', 'prod', '--dry-run']);
      expect(code).toBe(0);
      for (const name of Object.keys(LAMBDA_FUNCTIONS))
        expect(stdout).toMatch(
          new RegExp(`${name}: .* zipped -> voice-assistant/prod/lambda/${name}-[0-9a-f]{12}\\.zip`),
        );
    } finally {
      await rm(outRoot, { recursive: true, force: true });
    }
  }, 120_000);
});

const repositoryTemplates = join(root, 'deploy/cloudformation');
describe("the repository's templates", () => {
  it('package for every environment: each environment file names only declared parameters', async () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const { code, stdout, stderr } = await deploy(['--env', env, '--dry-run', '--templates', repositoryTemplates]);
      expect(stderr, env).not.toContain('error');
      expect(code, env).toBe(0);
      expect(stdout).toMatch(/template main\/\w+\s+voice-assistant\/\w+\/templates\/\w+-[0-9a-f]{12}\.yaml/);
    }
  });
});
