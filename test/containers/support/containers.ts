import {
  GenericContainer,
  RandomPortGenerator,
  Wait,
  getContainerRuntimeClient,
  type StartedTestContainer,
} from 'testcontainers';
import { describe, expect, inject, it, vi } from 'vitest';
import { CONTAINER_LABEL, type ContainerRuntime, type RuntimeProbe } from './runtime.js';
import { skipWhen } from '../../support/skip-reason.js';

/** Starting a JVM in a fresh container on a small CI machine, or pulling a public image, takes a while. */
export const CONTAINER_TIMEOUT_MS = 120_000;

const DYNAMODB_PORT = 8000;
const REDIS_PORT = 6379;

function probe(): RuntimeProbe {
  return (
    inject('containerRuntime') ?? {
      available: false,
      reason: 'the globalSetup test/containers/global-setup.ts did not run',
    }
  );
}

let configured: ContainerRuntime | undefined;

/** The runtime the global setup found, with Testcontainers pointed at it; only call it from hooks and tests. */
export function containerRuntime(): ContainerRuntime {
  const found = probe();
  if (!found.available) throw new Error(`no container runtime: ${found.reason}`);
  if (!configured) {
    configured = found.runtime;
    process.env['DOCKER_HOST'] = configured.dockerHost;
    // Ryuk's image cannot be pulled without a registry; containers:down removes leftovers by label instead.
    process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
    // Mapped ports are reached on loopback only: never on the address of the engine's bridge network.
    process.env['TESTCONTAINERS_HOST_OVERRIDE'] = '127.0.0.1';
  }
  return configured;
}

/**
 * A describe block for suites that need containers: run when a runtime was found; when none was, skipped (the
 * global setup printed why), or failed when REQUIRE_CONTAINERS=1, as on CI, where skipping would hide a broken set-up.
 * Also gives the file's hooks and tests the time containers need.
 */
export function describeWithContainers(name: string, body: () => void): void {
  vi.setConfig({ testTimeout: CONTAINER_TIMEOUT_MS, hookTimeout: CONTAINER_TIMEOUT_MS });
  const found = probe();
  if (found.available) {
    describe(name, body);
  } else if (process.env['REQUIRE_CONTAINERS'] === '1') {
    describe(name, () => {
      it('has a container runtime to run on', () => {
        throw new Error(`REQUIRE_CONTAINERS=1 but the container suites cannot run: ${found.reason}`);
      });
    });
  } else {
    describe(name, skipWhen(true, `no container runtime: ${found.reason}`), body);
  }
}

function assertLoopback(container: StartedTestContainer): StartedTestContainer {
  expect(container.getHost(), 'container traffic must go to loopback').toBe('127.0.0.1');
  return container;
}

export interface StartedService {
  container: StartedTestContainer;
  /** The host port on 127.0.0.1, read afresh: without `stablePort`, a restart may map another one. */
  port(): number;
}

export interface ServiceOptions {
  /**
   * Binds a fixed free host port instead of letting the engine pick one, so the service keeps its address across a
   * stop and restart (Docker picks a new random port on every start), as a real service does.
   */
  stablePort?: boolean;
}

async function exposed(port: number, options: ServiceOptions) {
  return options.stablePort ? { container: port, host: await new RandomPortGenerator().generatePort() } : port;
}

/**
 * DynamoDB Local in a fresh container. `durable` keeps the data in a file inside the container, so it survives a
 * stop and a restart of that container; otherwise it lives in memory, as the contract suites want it.
 */
export async function startDynamoDbLocal(
  options: ServiceOptions & { durable?: boolean } = {},
): Promise<StartedService> {
  const { images } = containerRuntime();
  const storage = options.durable ? ['-sharedDb', '-dbPath', '/tmp'] : ['-inMemory'];
  const container = await new GenericContainer(images.dynamodb)
    .withCommand(['-jar', 'DynamoDBLocal.jar', ...storage])
    .withExposedPorts(await exposed(DYNAMODB_PORT, options))
    .withLabels({ ...CONTAINER_LABEL })
    // Any HTTP answer means the server is up (it answers an unsigned GET with 400). Not the listening-ports wait,
    // which leaves helper processes behind on Podman.
    .withWaitStrategy(Wait.forHttp('/', DYNAMODB_PORT).forStatusCodeMatching(() => true))
    .withStartupTimeout(CONTAINER_TIMEOUT_MS)
    .start();
  assertLoopback(container);
  return { container, port: () => container.getMappedPort(DYNAMODB_PORT) };
}

/** Redis in a fresh container, memory only. */
export async function startRedis(options: ServiceOptions = {}): Promise<StartedService> {
  const { images } = containerRuntime();
  const container = await new GenericContainer(images.redis)
    .withExposedPorts(await exposed(REDIS_PORT, options))
    .withLabels({ ...CONTAINER_LABEL })
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .withStartupTimeout(CONTAINER_TIMEOUT_MS)
    .start();
  assertLoopback(container);
  return { container, port: () => container.getMappedPort(REDIS_PORT) };
}

async function engineContainer(container: StartedTestContainer) {
  const client = await getContainerRuntimeClient();
  return client.container.getById(container.getId());
}

/**
 * Network faults the engine can cause. Testcontainers has stop and restart but no pause, so pausing goes through the
 * engine's API (the cgroup freezer: the port stays open and the kernel still accepts connections, but nothing
 * answers). `stop` keeps the container, so `restart` brings the same one back, data included when it is durable.
 * Stopping is graceful (SIGTERM, SIGKILL after 10 s): killed at once, DynamoDB Local sometimes loses the last write it
 * acknowledged (1 run in 8 on a loaded machine), which DynamoDB itself never does, and the test is of the adapter.
 */
export const faults = {
  pause: async (container: StartedTestContainer) => (await engineContainer(container)).pause(),
  unpause: async (container: StartedTestContainer) => (await engineContainer(container)).unpause(),
  stop: async (container: StartedTestContainer) => (await engineContainer(container)).stop({ t: 10 }),
  /** Starts a stopped container, or restarts a running one, and waits for it as at the first start. */
  restart: async (container: StartedTestContainer) => container.restart({ timeout: 10 }),
};

/** Removes the container whatever state a fault left it in: running, paused or stopped. */
export async function removeContainer(service: StartedService | undefined): Promise<void> {
  if (!service) return;
  const container = await engineContainer(service.container);
  await container.remove({ force: true, v: true }).catch(() => undefined);
}
