import { randomUUID } from 'node:crypto';

export const NESTED_STACK = 'AWS::CloudFormation::Stack';
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** How an execution ends: every resource created or updated, or one failing (maybe in a nested stack) and a rollback. */
export type ExecutionScript =
  'success' | { failure: { logicalId: string; type: string; reason: string; nestedIn?: string } };

interface StackEventRecord {
  EventId: string;
  StackId: string;
  StackName: string;
  LogicalResourceId: string;
  PhysicalResourceId: string;
  ResourceType: string;
  Timestamp: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
}

export interface StackState {
  name: string;
  id: string;
  status: string;
  /** Newest first, as DescribeStackEvents returns them. */
  events: StackEventRecord[];
  outputs: Record<string, string>;
  parameters: Record<string, string>;
  /** Set by ExecuteChangeSet: the polls left before it settles, and how. */
  running?: { polls: number; type: 'CREATE' | 'UPDATE'; resources: Array<{ logicalId: string; type: string }> };
}

interface StackEvent {
  logicalId: string;
  type: string;
  status: string;
  reason?: string;
  physicalId?: string;
}

/**
 * The fake CloudFormation's stacks: their ids, their event history (timestamps one second apart from a fixed clock)
 * and how an executing stack moves on, poll by poll, to the end its script gives it.
 */
export class FakeStacks {
  readonly #stacks = new Map<string, StackState>();
  #clock = Date.parse('2026-12-01T00:00:00Z');

  all(): StackState[] {
    return [...this.#stacks.values()];
  }

  /** A stack by its name or its id. */
  find(name: string): StackState | undefined {
    return this.all().find((stack) => stack.name === name || stack.id === name);
  }

  create(name: string, status: string): StackState {
    const stack: StackState = {
      name,
      id: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/${randomUUID()}`,
      status,
      events: [],
      outputs: {},
      parameters: {},
    };
    this.#stacks.set(stack.id, stack);
    this.addEvent(stack, { logicalId: name, type: NESTED_STACK, status, physicalId: stack.id });
    return stack;
  }

  findOrCreate(name: string, status: string): StackState {
    return this.find(name) ?? this.create(name, status);
  }

  addEvent(stack: StackState, event: StackEvent): void {
    stack.events.unshift({
      EventId: randomUUID(),
      StackId: stack.id,
      StackName: stack.name,
      LogicalResourceId: event.logicalId,
      PhysicalResourceId: event.physicalId ?? `${event.logicalId}-${stack.events.length}`,
      ResourceType: event.type,
      Timestamp: new Date((this.#clock += 1000)).toISOString(),
      ResourceStatus: event.status,
      ...(event.reason && { ResourceStatusReason: event.reason }),
    });
  }

  /** Moves an executing stack on by one poll: first its resources start, then it settles as scripted. */
  advance(stack: StackState, execution: ExecutionScript, outputs: Record<string, string>): void {
    const running = stack.running;
    if (!running) return;
    const verb = running.type;
    if (running.polls > 0) {
      running.polls -= 1;
      for (const resource of running.resources) {
        this.addEvent(stack, { logicalId: resource.logicalId, type: resource.type, status: `${verb}_IN_PROGRESS` });
      }
      return;
    }
    stack.running = undefined;
    if (execution === 'success') {
      for (const resource of running.resources) {
        this.addEvent(stack, { logicalId: resource.logicalId, type: resource.type, status: `${verb}_COMPLETE` });
      }
      stack.status = `${verb}_COMPLETE`;
      stack.outputs = outputs;
      this.addEvent(stack, { logicalId: stack.name, type: NESTED_STACK, status: stack.status, physicalId: stack.id });
      return;
    }
    const failed = this.#failResource(stack, verb, execution.failure);
    const rollback = verb === 'CREATE' ? 'ROLLBACK' : 'UPDATE_ROLLBACK';
    this.addEvent(stack, {
      logicalId: stack.name,
      type: NESTED_STACK,
      status: `${rollback}_IN_PROGRESS`,
      physicalId: stack.id,
      reason: `The following resource(s) failed to ${verb.toLowerCase()}: [${failed}]. Rollback requested by user.`,
    });
    stack.status = `${rollback}_COMPLETE`;
    this.addEvent(stack, { logicalId: stack.name, type: NESTED_STACK, status: stack.status, physicalId: stack.id });
  }

  /** Records the scripted failure (inside its nested stack when it names one); returns the root's failed resource. */
  #failResource(
    stack: StackState,
    verb: 'CREATE' | 'UPDATE',
    failure: { logicalId: string; type: string; reason: string; nestedIn?: string },
  ): string {
    if (!failure.nestedIn) {
      this.addEvent(stack, {
        logicalId: failure.logicalId,
        type: failure.type,
        status: `${verb}_FAILED`,
        reason: failure.reason,
      });
      return failure.logicalId;
    }
    const nested = this.findOrCreate(`${stack.name}-${failure.nestedIn}`, `${verb}_IN_PROGRESS`);
    this.addEvent(nested, {
      logicalId: failure.logicalId,
      type: failure.type,
      status: `${verb}_FAILED`,
      reason: failure.reason,
    });
    nested.status = verb === 'CREATE' ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE';
    const inner = `The following resource(s) failed to ${verb.toLowerCase()}: [${failure.logicalId}]. `;
    this.addEvent(nested, {
      logicalId: nested.name,
      type: NESTED_STACK,
      status: `${verb}_FAILED`,
      physicalId: nested.id,
      reason: inner,
    });
    this.addEvent(stack, {
      logicalId: failure.nestedIn,
      type: NESTED_STACK,
      status: `${verb}_FAILED`,
      reason: `Embedded stack ${nested.id} was not successfully ${verb === 'CREATE' ? 'created' : 'updated'}: ${inner}`,
      physicalId: nested.id,
    });
    return failure.nestedIn;
  }
}
