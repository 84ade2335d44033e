import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGuard, type GuardViolation } from '../../deploy/checks/guard.js';
import { bundleHandlers, HANDLER_RULE_FILE, renderHandlerRule } from '../../deploy/checks/lambda-handlers.js';
import { addResource, plantedCopy, VALID_FIXTURES, type Plant } from './plant.js';

const REAL_TEMPLATES = 'deploy/cloudformation';
const RULES = [
  'CLOUDWATCH_ALARM_HAS_ACTIONS',
  'DYNAMODB_TABLE_PITR_AND_SSE',
  'IAM_NO_WILDCARD_ACTION_ON_WILDCARD_RESOURCE',
  'LAMBDA_HANDLER_IN_BUNDLE',
  'LAMBDA_RUNTIME_NODEJS22_OR_NEWER',
  'LOG_GROUP_HAS_RETENTION',
  'S3_BUCKET_BLOCKS_PUBLIC_ACCESS',
  'SQS_QUEUE_HAS_DEAD_LETTER_QUEUE',
];

const scratch = mkdtempSync(join(tmpdir(), 'cfn-guard-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the guard rules on the templates in deploy/cloudformation', () => {
  it('pass, and each rule applies to at least one resource there', async (context) => {
    if (!existsSync(REAL_TEMPLATES)) {
      context.skip('deploy/cloudformation does not exist on this branch yet; the fixture set below stands in for it');
    }
    const result = await runGuard(REAL_TEMPLATES);
    expect(result.templates.length).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
    expect(result.passed).toEqual(RULES);
  });
});

describe('the guard rules on the fixture template set', () => {
  it('pass, each applying to at least one resource (none only skips)', async () => {
    const result = await runGuard(VALID_FIXTURES);
    expect(result.rules.sort()).toEqual(RULES);
    expect(result.violations).toEqual([]);
    expect(result.passed).toEqual(RULES);
  });
});

interface Case {
  name: string;
  plants: Plant[];
  /** The violations expected (rule, file, resource), and no other. */
  expected: Omit<GuardViolation, 'message'>[];
}

const STATEMENT = 'Action: sns:Publish\n                Resource: !Ref AlertTopicArn';
const wildcardPolicy = (type: string, extra: string) =>
  addResource(
    'functions.yaml',
    'Wildcard',
    `Type: ${type}\nProperties:\n${extra}  PolicyDocument:\n    Version: '2012-10-17'\n    Statement:\n` +
      `      - Effect: Allow\n        Action: ['s3:GetObject', '*']\n        Resource: ['*']`,
  );

const cases: Case[] = [
  {
    name: 'IAM: action * on resource * in a role inline policy',
    plants: [{ file: 'functions.yaml', from: STATEMENT, to: "Action: '*'\n                Resource: '*'" }],
    expected: [
      { rule: 'IAM_NO_WILDCARD_ACTION_ON_WILDCARD_RESOURCE', file: 'functions.yaml', logicalId: 'FunctionRole' },
    ],
  },
  {
    name: 'IAM: action * on resource * in a managed policy (lists)',
    plants: [wildcardPolicy('AWS::IAM::ManagedPolicy', '  Roles: [!Ref FunctionRole]\n')],
    expected: [{ rule: 'IAM_NO_WILDCARD_ACTION_ON_WILDCARD_RESOURCE', file: 'functions.yaml', logicalId: 'Wildcard' }],
  },
  {
    name: 'IAM: action * on resource * in a role policy',
    plants: [wildcardPolicy('AWS::IAM::RolePolicy', '  RoleName: !Ref FunctionRole\n  PolicyName: all\n')],
    expected: [{ rule: 'IAM_NO_WILDCARD_ACTION_ON_WILDCARD_RESOURCE', file: 'functions.yaml', logicalId: 'Wildcard' }],
  },
  {
    name: 'IAM: action * on one named resource is left alone',
    plants: [
      { file: 'functions.yaml', from: STATEMENT, to: "Action: '*'\n                Resource: !Ref AlertTopicArn" },
    ],
    expected: [],
  },
  {
    name: 'an alarm without AlarmActions',
    plants: [{ file: 'data.yaml', from: '      AlarmActions: [!Ref AlertTopicArn]\n', to: '' }],
    expected: [{ rule: 'CLOUDWATCH_ALARM_HAS_ACTIONS', file: 'data.yaml', logicalId: 'DeadLetterAlarm' }],
  },
  {
    name: 'a queue that is not a dead-letter queue, without a RedrivePolicy',
    plants: [
      {
        file: 'data.yaml',
        from: '      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt EventsDeadLetterQueue.Arn\n        maxReceiveCount: 5\n',
        to: '',
      },
    ],
    expected: [{ rule: 'SQS_QUEUE_HAS_DEAD_LETTER_QUEUE', file: 'data.yaml', logicalId: 'EventsQueue' }],
  },
  {
    name: 'a table without point-in-time recovery',
    plants: [{ file: 'data.yaml', from: 'PointInTimeRecoveryEnabled: true', to: 'PointInTimeRecoveryEnabled: false' }],
    expected: [{ rule: 'DYNAMODB_TABLE_PITR_AND_SSE', file: 'data.yaml', logicalId: 'Table' }],
  },
  {
    name: 'a table without server-side encryption',
    plants: [{ file: 'data.yaml', from: '      SSESpecification: { SSEEnabled: true }\n', to: '' }],
    expected: [{ rule: 'DYNAMODB_TABLE_PITR_AND_SSE', file: 'data.yaml', logicalId: 'Table' }],
  },
  {
    name: 'a bucket with one public-access flag off',
    plants: [{ file: 'data.yaml', from: 'RestrictPublicBuckets: true', to: 'RestrictPublicBuckets: false' }],
    expected: [{ rule: 'S3_BUCKET_BLOCKS_PUBLIC_ACCESS', file: 'data.yaml', logicalId: 'AudioBucket' }],
  },
  {
    name: 'a bucket without a PublicAccessBlockConfiguration',
    plants: [addResource('pipeline.yaml', 'OpenBucket', 'Type: AWS::S3::Bucket')],
    expected: [{ rule: 'S3_BUCKET_BLOCKS_PUBLIC_ACCESS', file: 'pipeline.yaml', logicalId: 'OpenBucket' }],
  },
  {
    name: 'a log group without RetentionInDays',
    plants: [
      {
        file: 'pipeline.yaml',
        from: '      RetentionInDays: !Ref RetentionDays\n',
        to: '      LogGroupClass: STANDARD\n',
      },
    ],
    expected: [{ rule: 'LOG_GROUP_HAS_RETENTION', file: 'pipeline.yaml', logicalId: 'BuildLogs' }],
  },
  {
    name: 'a function on a runtime older than nodejs22.x',
    plants: [{ file: 'functions.yaml', from: 'Runtime: nodejs22.x', to: 'Runtime: nodejs20.x' }],
    expected: [{ rule: 'LAMBDA_RUNTIME_NODEJS22_OR_NEWER', file: 'functions.yaml', logicalId: 'ApiFunction' }],
  },
  {
    name: 'a function whose handler no bundle exports',
    plants: [{ file: 'functions.yaml', from: 'Handler: index.persist', to: 'Handler: index.store' }],
    expected: [{ rule: 'LAMBDA_HANDLER_IN_BUNDLE', file: 'functions.yaml', logicalId: 'PersistFunction' }],
  },
  {
    name: "a function using another bundle's handler (the API code with a workflow task's handler)",
    plants: [{ file: 'functions.yaml', from: 'Handler: index.handler', to: 'Handler: index.persist' }],
    expected: [{ rule: 'LAMBDA_HANDLER_IN_BUNDLE', file: 'functions.yaml', logicalId: 'ApiFunction' }],
  },
];

describe('each rule fails on its planted violation', () => {
  it.each(cases)('$name', async ({ plants, expected }) => {
    const result = await runGuard(plantedCopy(scratch, plants));
    const located = result.violations.map(({ message: _message, ...where }) => where);
    expect([...new Map(located.map((where) => [JSON.stringify(where), where])).values()]).toEqual(expected);
    for (const violation of result.violations) expect(violation.message).not.toBe('');
  });

  it('covers every rule', () => {
    expect([...new Set(cases.flatMap((entry) => entry.expected.map((violation) => violation.rule)))].sort()).toEqual(
      RULES,
    );
  });
});

describe('the handler rule', () => {
  it('is generated from the bundle script and the handlers each bundle exports (it cannot drift)', () => {
    // Regenerate with `npx tsx deploy/checks/lambda-handlers.ts` when a bundle or a workflow task changes.
    expect(readFileSync(HANDLER_RULE_FILE, 'utf8')).toEqual(renderHandlerRule());
  });

  it('reads every exported task of the workflow handler and the handler of the API and events bundles', () => {
    const byBundle = Object.fromEntries(bundleHandlers().map((bundle) => [bundle.bundle, bundle]));
    const workflowSource = readFileSync('entrypoints/lambda/workflow/handler.ts', 'utf8');
    const tasks = [...workflowSource.matchAll(/^export const (\w+) =/gm)].map((match) => `index.${match[1]}`);
    expect(tasks.length).toBeGreaterThan(0);
    expect(byBundle.workflow).toEqual({ bundle: 'workflow', codeKeyParameter: 'WorkflowCodeKey', handlers: tasks });
    expect(byBundle.api).toEqual({ bundle: 'api', codeKeyParameter: 'ApiCodeKey', handlers: ['index.handler'] });
    expect(byBundle.events).toEqual({
      bundle: 'events',
      codeKeyParameter: 'EventsCodeKey',
      handlers: ['index.handler'],
    });
  });
});
