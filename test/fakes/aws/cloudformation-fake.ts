import { randomUUID } from 'node:crypto';
import { parseTemplateText } from '../../../deploy/cfn-yaml.js';
import { startFakeAwsServer, type FakeReply } from './fake-aws-server.js';
import { queryError, queryOk } from './query-protocol.js';
import { cloudFrontRoutes, type InvalidationScenario } from './cloudfront-fake.js';
import {
  ACCOUNT,
  FakeStacks,
  NESTED_STACK,
  REGION,
  type ExecutionScript,
  type StackState,
} from './cloudformation-stacks.js';
import { s3ObjectRoutes, type StoredHeaders } from './s3-object-fake.js';

/** What the next change set and execution do; change it between deploys with `script()`. */
export interface CloudFormationScenario {
  /** `changes` (default): the template's resources; `no changes`: CloudFormation's empty change set; or a failure. */
  changeSet?: 'changes' | 'no changes' | { failed: string };
  /** `success` (default), or one resource failing (in the root, or in the nested stack `nestedIn`) and a rollback. */
  execution?: ExecutionScript;
  outputs?: Record<string, string>;
  /** How CloudFront answers CreateInvalidation; its distributions are the DistributionId outputs of the stacks. */
  invalidation?: InvalidationScenario;
}

/** One call as the fake understood it, CloudFormation, S3 and CloudFront in one ordered list. */
export interface RecordedCall {
  service: 'cloudformation' | 's3' | 'cloudfront';
  action: string;
  /**
   * CloudFormation: the form fields; S3: `{ Bucket, Key }` (PutObject adds ContentType and CacheControl);
   * CloudFront: `{ DistributionId, Id?, CallerReference?, Paths? }` (paths space-separated).
   */
  params: Record<string, string>;
}

export interface CloudFormationFake {
  /** Point the SDK here with `AWS_ENDPOINT_URL`: CloudFormation (POST /) and path-style S3 share the server. */
  url: string;
  calls: RecordedCall[];
  /** Objects in the fake S3, by `bucket/key`. */
  objects: Map<string, Buffer>;
  /** The Content-Type and Cache-Control each object was stored with, by `bucket/key`. */
  objectHeaders: Map<string, StoredHeaders>;
  script(scenario: CloudFormationScenario): void;
  /** Puts an existing stack in place (e.g. `ROLLBACK_COMPLETE`, or `UPDATE_COMPLETE` with its outputs). */
  seedStack(name: string, status: string, outputs?: Record<string, string>, parameters?: Record<string, string>): void;
  close(): Promise<void>;
}

interface ChangeSetState {
  id: string;
  name: string;
  stack: StackState;
  type: 'CREATE' | 'UPDATE';
  status: string;
  statusReason?: string;
  describes: number;
  changes: Array<{ action: string; logicalId: string; type: string; replacement?: string; changeSetId?: string }>;
  resources: Array<{ logicalId: string; type: string }>;
}

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const ok = (action: string, result: unknown) => queryOk(NS, action, result);
const EVENTS_PAGE = 4;

/** `https://bucket.s3.region.amazonaws.com/key` → `bucket/key`, as the fake S3 stores it. */
function objectId(templateUrl: string): string | undefined {
  const match = /^https:\/\/([^.]+)\.s3\.[^/]+\.amazonaws\.com\/(.+)$/.exec(templateUrl);
  return match ? `${match[1]}/${decodeURIComponent(match[2] ?? '')}` : undefined;
}

/**
 * A loopback CloudFormation (AWS Query protocol: form-encoded POST, XML answers, as client-cloudformation 3.1169
 * sends), a path-style S3 (objects and ListObjectsV2; a bucket in `deniedBuckets` answers 403) and CloudFront's
 * invalidations (REST-XML; the stacks' DistributionId outputs exist, `deniedDistributions` answer 403). Change sets
 * read the uploaded templates back from the fake S3, so a TemplateURL that points at nothing fails the change set as
 * CloudFormation would.
 */
export async function startCloudFormationFake(
  buckets: string[],
  options: { deniedBuckets?: string[]; deniedDistributions?: string[]; listPageSize?: number } = {},
): Promise<CloudFormationFake> {
  const calls: RecordedCall[] = [];
  const objects = new Map<string, Buffer>();
  const objectHeaders = new Map<string, StoredHeaders>();
  const stacks = new FakeStacks();
  const changeSets = new Map<string, ChangeSetState>();
  let scenario: CloudFormationScenario = {};

  /** A change set for the template at `url` (and one per nested stack in it); undefined when an object is missing. */
  const planChangeSet = (
    url: string,
    stack: StackState,
    name: string,
    type: 'CREATE' | 'UPDATE',
  ): ChangeSetState | string => {
    const id = objectId(url);
    const body = id && objects.get(id);
    if (!body) return `Template error: S3 error: unable to read ${url}: the object does not exist`;
    const template = parseTemplateText(body.toString('utf8')) as {
      Resources?: Record<string, { Type: string; Properties?: { TemplateURL?: unknown } }>;
    };
    const changeSet: ChangeSetState = {
      id: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:changeSet/${name}/${randomUUID()}`,
      name,
      stack,
      type,
      status: 'CREATE_PENDING',
      describes: 0,
      changes: [],
      resources: [],
    };
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      changeSet.resources.push({ logicalId, type: resource.Type });
      const change = {
        action: type === 'CREATE' ? 'Add' : 'Modify',
        logicalId,
        type: resource.Type,
        ...(type === 'UPDATE' && { replacement: 'False' }),
      };
      if (resource.Type === NESTED_STACK) {
        const childUrl = resource.Properties?.TemplateURL;
        if (typeof childUrl !== 'string') return `Template error: ${logicalId} has no TemplateURL string`;
        const nestedStack = stacks.findOrCreate(`${stack.name}-${logicalId}`, `${type}_IN_PROGRESS`);
        const child = planChangeSet(childUrl, nestedStack, `${name}-${logicalId}`, type);
        if (typeof child === 'string') return child;
        child.status = 'CREATE_COMPLETE';
        changeSets.set(child.id, child);
        changeSet.changes.push({ ...change, changeSetId: child.id });
      } else {
        changeSet.changes.push(change);
      }
    }
    return changeSet;
  };

  const cloudFormation = (params: Record<string, string>): FakeReply => {
    const action = params.Action ?? '';
    switch (action) {
      case 'DescribeStacks': {
        const stack = stacks.find(params.StackName ?? '');
        if (!stack) return queryError(NS, 'ValidationError', `Stack with id ${params.StackName} does not exist`);
        stacks.advance(stack, scenario.execution ?? 'success', scenario.outputs ?? {});
        return ok(action, {
          Stacks: [
            {
              StackId: stack.id,
              StackName: stack.name,
              CreationTime: '2026-12-01T00:00:00.000Z',
              StackStatus: stack.status,
              Outputs: Object.entries(stack.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
              Parameters: Object.entries(stack.parameters).map(([ParameterKey, ParameterValue]) => ({
                ParameterKey,
                ParameterValue,
              })),
            },
          ],
        });
      }
      case 'CreateChangeSet': {
        const type = params.ChangeSetType === 'CREATE' ? 'CREATE' : 'UPDATE';
        let stack = stacks.find(params.StackName ?? '');
        if (type === 'UPDATE' && !stack) {
          return queryError(NS, 'ValidationError', `Stack [${params.StackName}] does not exist`);
        }
        if (type === 'CREATE' && stack && stack.status !== 'REVIEW_IN_PROGRESS') {
          return queryError(
            NS,
            'ValidationError',
            `Stack [${params.StackName}] already exists and cannot be created again`,
          );
        }
        stack ??= stacks.create(params.StackName ?? '', 'REVIEW_IN_PROGRESS');
        const planned = planChangeSet(params.TemplateURL ?? '', stack, params.ChangeSetName ?? '', type);
        const changeSet: ChangeSetState =
          typeof planned === 'string'
            ? {
                id: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:changeSet/${params.ChangeSetName}/${randomUUID()}`,
                name: params.ChangeSetName ?? '',
                stack,
                type,
                status: 'FAILED',
                statusReason: planned,
                describes: 0,
                changes: [],
                resources: [],
              }
            : planned;
        const outcome = scenario.changeSet ?? 'changes';
        if (outcome === 'no changes') {
          changeSet.status = 'FAILED';
          changeSet.statusReason =
            "The submitted information didn't contain changes. Submit different information to create a change set.";
        } else if (typeof outcome === 'object') {
          changeSet.status = 'FAILED';
          changeSet.statusReason = outcome.failed;
        }
        changeSets.set(changeSet.id, changeSet);
        return ok(action, { Id: changeSet.id, StackId: stack.id });
      }
      case 'DescribeChangeSet': {
        const changeSet = changeSets.get(params.ChangeSetName ?? '');
        if (!changeSet)
          return queryError(NS, 'ChangeSetNotFound', `ChangeSet [${params.ChangeSetName}] does not exist`, 404);
        changeSet.describes += 1;
        // The first look finds it still being computed, so the tool's polling is exercised.
        const pending = changeSet.describes === 1 && changeSet.status !== 'CREATE_COMPLETE';
        const status = pending ? 'CREATE_IN_PROGRESS' : changeSet.status === 'FAILED' ? 'FAILED' : 'CREATE_COMPLETE';
        if (!pending && changeSet.status === 'CREATE_PENDING') changeSet.status = 'CREATE_COMPLETE';
        return ok(action, {
          ChangeSetName: changeSet.name,
          ChangeSetId: changeSet.id,
          StackId: changeSet.stack.id,
          StackName: changeSet.stack.name,
          Status: status,
          ExecutionStatus: status === 'CREATE_COMPLETE' ? 'AVAILABLE' : 'UNAVAILABLE',
          StatusReason: pending ? undefined : changeSet.statusReason,
          Changes: pending
            ? []
            : changeSet.changes.map((change) => ({
                Type: 'Resource',
                ResourceChange: {
                  Action: change.action,
                  LogicalResourceId: change.logicalId,
                  ResourceType: change.type,
                  Replacement: change.replacement,
                  ChangeSetId: change.changeSetId,
                },
              })),
        });
      }
      case 'ExecuteChangeSet': {
        const changeSet = changeSets.get(params.ChangeSetName ?? '');
        if (!changeSet || changeSet.status !== 'CREATE_COMPLETE') {
          return queryError(NS, 'InvalidChangeSetStatus', `ChangeSet [${params.ChangeSetName}] cannot be executed`);
        }
        const stack = changeSet.stack;
        stack.status = `${changeSet.type}_IN_PROGRESS`;
        stack.running = { polls: 1, type: changeSet.type, resources: changeSet.resources };
        stacks.addEvent(stack, {
          logicalId: stack.name,
          type: NESTED_STACK,
          status: stack.status,
          physicalId: stack.id,
          reason: 'User Initiated',
        });
        changeSets.delete(changeSet.id);
        return ok(action, {});
      }
      case 'DeleteChangeSet': {
        changeSets.delete(params.ChangeSetName ?? '');
        return ok(action, {});
      }
      case 'DescribeStackEvents': {
        const stack = stacks.find(params.StackName ?? '');
        if (!stack) return queryError(NS, 'ValidationError', `Stack [${params.StackName}] does not exist`);
        const from = Number(params.NextToken ?? 0);
        const page = stack.events.slice(from, from + EVENTS_PAGE);
        const next = from + EVENTS_PAGE < stack.events.length ? String(from + EVENTS_PAGE) : undefined;
        return ok(action, { StackEvents: page, NextToken: next });
      }
      default:
        return queryError(NS, 'InvalidAction', `fake has no ${action}`);
    }
  };

  const server = await startFakeAwsServer({
    'POST /': (request) => {
      const params = Object.fromEntries(new URLSearchParams(request.body.toString('utf8')));
      calls.push({ service: 'cloudformation', action: params.Action ?? '?', params });
      return cloudFormation(params);
    },
    ...s3ObjectRoutes({
      buckets,
      deniedBuckets: options.deniedBuckets ?? [],
      objects,
      headers: objectHeaders,
      ...(options.listPageSize && { pageSize: options.listPageSize }),
      record: (action, params) => calls.push({ service: 's3', action, params }),
    }),
    ...cloudFrontRoutes({
      distributions: () =>
        stacks
          .all()
          .map((stack) => stack.outputs.DistributionId ?? '')
          .filter(Boolean),
      deniedDistributions: options.deniedDistributions ?? [],
      scenario: () => scenario.invalidation ?? 'success',
      record: (action, params) => calls.push({ service: 'cloudfront', action, params }),
    }),
  });
  return {
    url: server.url,
    calls,
    objects,
    objectHeaders,
    script: (next) => {
      scenario = next;
    },
    seedStack: (name, status, outputs, parameters) => {
      const stack = stacks.create(name, status);
      stack.outputs = outputs ?? {};
      stack.parameters = parameters ?? {};
    },
    close: () => server.close(),
  };
}
