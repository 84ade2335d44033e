import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type CloudFormationClient,
  type Change,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { DeployError, translateAwsError } from './errors.js';
import { table, type Output } from './output.js';
import type { ResolvedParameter } from './parameters.js';

type Cfn = Pick<CloudFormationClient, 'send'>;

/** How often to poll: start fast, slow down by half each time up to a ceiling (tests pass milliseconds). */
export interface Polling {
  initialMs: number;
  maxMs: number;
  sleep(ms: number): Promise<void>;
}

export const DEFAULT_POLLING: Polling = {
  initialMs: 2000,
  maxMs: 15_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

async function call<T>(step: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translateAwsError(error, step);
  }
}

async function poll<T>(polling: Polling, check: () => Promise<T | undefined>): Promise<T> {
  let wait = polling.initialMs;
  for (;;) {
    const done = await check();
    if (done !== undefined) return done;
    await polling.sleep(wait);
    wait = Math.min(polling.maxMs, Math.ceil(wait * 1.5));
  }
}

/** The stack, or undefined when CloudFormation says it does not exist (a ValidationError, not a 404). */
export async function describeStack(cfn: Cfn, stackName: string): Promise<Stack | undefined> {
  try {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    return Stacks?.[0];
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message))
      return undefined;
    throw translateAwsError(error, `describing stack ${stackName}`);
  }
}

/** CREATE for a new stack (or one only ever reviewed), UPDATE for a settled one; otherwise says what to do first. */
export function changeSetTypeFor(stackName: string, stack: Stack | undefined): 'CREATE' | 'UPDATE' {
  const status = stack?.StackStatus;
  if (!status || status === 'REVIEW_IN_PROGRESS') return 'CREATE';
  if (status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED' || status === 'CREATE_FAILED') {
    throw new DeployError(
      `The stack ${stackName} is in ${status}: its first creation failed and CloudFormation cannot update it.`,
      `Delete it first (aws cloudformation delete-stack --stack-name ${stackName}), then deploy again.`,
    );
  }
  if (status === 'DELETE_FAILED' || status === 'UPDATE_ROLLBACK_FAILED') {
    throw new DeployError(
      `The stack ${stackName} is in ${status}.`,
      status === 'DELETE_FAILED'
        ? 'Finish deleting it in the CloudFormation console (retain the resources that block it), then deploy.'
        : `Run aws cloudformation continue-update-rollback --stack-name ${stackName}, then deploy again.`,
    );
  }
  if (status.endsWith('_IN_PROGRESS')) {
    throw new DeployError(
      `The stack ${stackName} is busy (${status}).`,
      'Wait for the running operation to finish, then deploy again.',
    );
  }
  return 'UPDATE';
}

export interface ChangeSetRequest {
  stackName: string;
  changeSetName: string;
  type: 'CREATE' | 'UPDATE';
  templateUrl: string;
  parameters: ResolvedParameter[];
  tags: Record<string, string>;
}

export async function createChangeSet(cfn: Cfn, request: ChangeSetRequest): Promise<string> {
  const created = await call(`creating change set for ${request.stackName}`, () =>
    cfn.send(
      new CreateChangeSetCommand({
        StackName: request.stackName,
        ChangeSetName: request.changeSetName,
        ChangeSetType: request.type,
        TemplateURL: request.templateUrl,
        Parameters: request.parameters.map((parameter) => ({
          ParameterKey: parameter.key,
          ParameterValue: parameter.value,
        })),
        Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
        IncludeNestedStacks: true,
        Description: 'npm run deploy',
      }),
    ),
  );
  if (!created.Id) throw new DeployError('CloudFormation returned no change set id.');
  return created.Id;
}

/** One change as printed: nested stacks' changes carry the path of the stack they belong to. */
export interface PrintedChange {
  stack: string;
  action: string;
  logicalId: string;
  type: string;
  replacement: string;
}

const NO_CHANGES = [/didn't contain changes/i, /no updates are to be performed/i];

/**
 * Waits for the change set to be computed. Returns its changes (nested stacks' change sets included), or
 * `'no changes'` when CloudFormation found nothing to do; a failed change set throws with its StatusReason.
 */
export async function waitForChangeSet(
  cfn: Cfn,
  changeSetId: string,
  polling: Polling,
): Promise<PrintedChange[] | 'no changes'> {
  const final = await poll(polling, async () => {
    const described = await call('waiting for the change set', () =>
      cfn.send(new DescribeChangeSetCommand({ ChangeSetName: changeSetId })),
    );
    return described.Status === 'CREATE_COMPLETE' || described.Status === 'FAILED' ? described : undefined;
  });
  if (final.Status === 'FAILED') {
    const reason = final.StatusReason ?? '(no reason given)';
    if (NO_CHANGES.some((pattern) => pattern.test(reason))) return 'no changes';
    throw new DeployError(
      `The change set failed: ${reason}`,
      'Fix the template or parameters it names; the failed change set is left in the console for inspection.',
    );
  }
  return collectChanges(cfn, changeSetId, 'main');
}

async function collectChanges(cfn: Cfn, changeSetId: string, stackPath: string): Promise<PrintedChange[]> {
  const changes: Change[] = [];
  let token: string | undefined;
  do {
    const page = await call('reading the change set', () =>
      cfn.send(new DescribeChangeSetCommand({ ChangeSetName: changeSetId, NextToken: token })),
    );
    changes.push(...(page.Changes ?? []));
    token = page.NextToken;
  } while (token);
  const out: PrintedChange[] = [];
  for (const change of changes) {
    const resource = change.ResourceChange;
    if (!resource) continue;
    out.push({
      stack: stackPath,
      action: resource.Action ?? '?',
      logicalId: resource.LogicalResourceId ?? '?',
      type: resource.ResourceType ?? '?',
      replacement: resource.Replacement ?? '',
    });
    if (resource.ChangeSetId && resource.ResourceType === 'AWS::CloudFormation::Stack') {
      out.push(...(await collectChanges(cfn, resource.ChangeSetId, `${stackPath}/${resource.LogicalResourceId}`)));
    }
  }
  return out;
}

export function printChanges(output: Output, changes: PrintedChange[]): void {
  output.out(`Changes (${changes.length})`);
  for (const line of table(
    ['action', 'logical id', 'type', 'stack', 'replacement'],
    changes.map((change) => [change.action, change.logicalId, change.type, change.stack, change.replacement]),
  ))
    output.out(`  ${line}`);
}

export async function deleteChangeSet(cfn: Cfn, changeSetId: string): Promise<void> {
  await call('deleting the empty change set', () =>
    cfn.send(new DeleteChangeSetCommand({ ChangeSetName: changeSetId })),
  );
}

export async function executeChangeSet(cfn: Cfn, changeSetId: string): Promise<void> {
  await call('executing the change set', () => cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSetId })));
}

/**
 * Events newer than any in `seen`, oldest first, marking them seen. Pages are read newest first and reading stops at
 * the first event already seen (or, with `since`, older than it), so a long-lived stack's history is not read again.
 */
async function newEvents(cfn: Cfn, stackName: string, seen: Set<string>, since?: Date): Promise<StackEvent[]> {
  const fresh: StackEvent[] = [];
  let token: string | undefined;
  pages: do {
    const page = await call('reading stack events', () =>
      cfn.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken: token })),
    );
    for (const event of page.StackEvents ?? []) {
      if (!event.EventId || seen.has(event.EventId)) break pages;
      if (since && event.Timestamp && event.Timestamp < since) break pages;
      fresh.push(event);
    }
    token = page.NextToken;
  } while (token);
  for (const event of fresh) if (event.EventId) seen.add(event.EventId);
  return fresh.reverse();
}

/** Marks the newest event before execution, so only this deploy's events are printed and searched. */
export async function eventsSoFar(cfn: Cfn, stackName: string): Promise<Set<string>> {
  const { StackEvents } = await call('reading stack events', () =>
    cfn.send(new DescribeStackEventsCommand({ StackName: stackName })),
  );
  const newest = StackEvents?.[0]?.EventId;
  return new Set(newest ? [newest] : []);
}

const SUCCESS = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);

function formatEvent(event: StackEvent): string {
  const time = event.Timestamp ? event.Timestamp.toISOString().slice(11, 19) : '--:--:--';
  const reason = event.ResourceStatusReason ? `  ${event.ResourceStatusReason}` : '';
  return `  ${time}  ${event.ResourceStatus ?? '?'}  ${event.LogicalResourceId ?? '?'} (${event.ResourceType ?? '?'})${reason}`;
}

/**
 * Polls the stack until it settles, printing each new event as it arrives. Returns the settled stack on success;
 * on a failure or rollback throws with the reasons of the resources that failed, nested stacks' included.
 */
export async function waitForStack(
  cfn: Cfn,
  stackName: string,
  seen: Set<string>,
  options: { polling: Polling; output: Output },
): Promise<Stack> {
  const thisRun: StackEvent[] = [];
  const stack = await poll(options.polling, async () => {
    // Status first, then events: when the status is final, the events read after it include the last ones.
    const current = await describeStack(cfn, stackName);
    if (!current) throw new DeployError(`The stack ${stackName} disappeared while deploying.`);
    const events = await newEvents(cfn, stackName, seen);
    thisRun.push(...events);
    for (const event of events) options.output.err(formatEvent(event));
    return current.StackStatus?.endsWith('_IN_PROGRESS') ? undefined : current;
  });
  const status = stack.StackStatus ?? '?';
  if (SUCCESS.has(status)) return stack;
  const since = thisRun[0]?.Timestamp;
  const failures = await failedResources(cfn, thisRun, 'main', since);
  const lines = failures.map((failure) => `  ${failure.path} (${failure.type}) ${failure.status}: ${failure.reason}`);
  throw new DeployError(
    `The deploy failed: the stack ${stackName} is ${status}${stack.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}.` +
      (lines.length > 0 ? `\nFailed resources:\n${lines.join('\n')}` : ''),
    status === 'ROLLBACK_COMPLETE'
      ? `The first creation rolled back: delete the stack (aws cloudformation delete-stack --stack-name ${stackName}) ` +
          'before deploying again.'
      : 'Fix the cause above and deploy again; the stack was rolled back to its previous state.',
  );
}

interface FailedResource {
  path: string;
  type: string;
  status: string;
  reason: string;
}

/**
 * The failed resources among `events`, looking into each failed nested stack's own events (to any depth): the root
 * only says "Embedded stack … was not successfully created", the reason that helps lives inside.
 */
async function failedResources(
  cfn: Cfn,
  events: StackEvent[],
  stackPath: string,
  since: Date | undefined,
): Promise<FailedResource[]> {
  const out: FailedResource[] = [];
  const expanded = new Set<string>();
  for (const event of events) {
    if (!event.ResourceStatus?.endsWith('_FAILED')) continue;
    if (event.LogicalResourceId === event.StackName && event.PhysicalResourceId === event.StackId) continue;
    const path = `${stackPath}/${event.LogicalResourceId ?? '?'}`;
    out.push({
      path,
      type: event.ResourceType ?? '?',
      status: event.ResourceStatus,
      reason: event.ResourceStatusReason ?? '(no reason given)',
    });
    const nested = event.PhysicalResourceId;
    if (event.ResourceType === 'AWS::CloudFormation::Stack' && nested?.startsWith('arn:') && !expanded.has(nested)) {
      expanded.add(nested);
      const inner = await newEvents(cfn, nested, new Set(), since);
      out.push(...(await failedResources(cfn, inner, path, since)));
    }
  }
  return out;
}

export function printOutputs(output: Output, stack: Stack): void {
  const outputs = stack.Outputs ?? [];
  if (outputs.length === 0) {
    output.out('The stack has no outputs.');
    return;
  }
  output.out('Outputs');
  for (const line of table(
    ['name', 'value'],
    outputs.map((entry) => [entry.OutputKey ?? '?', entry.OutputValue ?? '']),
  ))
    output.out(`  ${line}`);
}
