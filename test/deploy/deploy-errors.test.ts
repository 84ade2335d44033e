import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDeployCommand } from '../../deploy/tool/deploy-command.js';
import {
  cfnActions,
  DENIED_BUCKET,
  deploy,
  isolateAwsEnvironment,
  root,
  state,
  templates,
  useDeployHarness,
} from './support/deploy-harness.js';

useDeployHarness();

describe('npm run deploy errors', () => {
  it('says how to provide credentials when there are none, before any call reaches AWS', async () => {
    await isolateAwsEnvironment(false);
    const { code, stderr } = await deploy(['--env', 'dev', '--yes']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: No AWS credentials found');
    expect(stderr).toContain('AWS_PROFILE');
    expect(state.fake.calls).toEqual([]);
  });

  it('reports access denied with what the identity needs', async () => {
    const { code, stderr } = await deploy(['--env', 'dev', '--yes', '--artifact-bucket', DENIED_BUCKET]);
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
    await rm(join(state.bundles, 'events'), { recursive: true });
    const { code, stderr } = await deploy(['--env', 'dev', '--dry-run']);
    expect(code).toBe(1);
    expect(stderr).toContain('The Lambda bundles are not built');
    expect(stderr).toContain('npm run bundle');
  });

  it('says how to create an artifact bucket when none is given', async () => {
    const args = ['--templates', templates, '--bundle-dir', state.bundles, '--skip-bundle', '--env', 'dev'];
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
  it('reports a failed change set with its reason and does not execute it', async () => {
    state.fake.script({
      changeSet: { failed: 'Parameter validation failed: parameter value dev-x for LogRetentionDays' },
    });
    const { code, stderr } = await deploy(['--env', 'dev', '--yes']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: The change set failed: Parameter validation failed: parameter value dev-x');
    expect(cfnActions()).not.toContain('ExecuteChangeSet');
  });

  it('reports a rollback with the failing resource inside the nested stack and its reason', async () => {
    state.fake.script({
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
    state.fake.seedStack('voice-assistant-dev', 'ROLLBACK_COMPLETE');
    const { code, stderr } = await deploy(['--env', 'dev', '--yes']);
    expect(code).toBe(1);
    expect(stderr).toContain('is in ROLLBACK_COMPLETE');
    expect(stderr).toContain('Delete it first (aws cloudformation delete-stack --stack-name voice-assistant-dev)');
    expect(cfnActions()).toEqual(['DescribeStacks']);
  });
});
