import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Where scripts/containers-up.sh records the engine and the images it prepared. */
export const STATE_FILE = join(process.env['CONTAINERS_WORK_DIR'] ?? join(ROOT, '.containers'), 'state.env');
/** Every container the suites start carries this label, so scripts/containers-down.sh can remove what they left. */
export const CONTAINER_LABEL = { 'voice-assistant.tests': ROOT } as const;

export const PUBLIC_IMAGES = { dynamodb: 'amazon/dynamodb-local:latest', redis: 'redis:7' } as const;

export interface ContainerRuntime {
  /** unix:// or tcp:// address of an engine speaking the Docker API. */
  dockerHost: string;
  engine: 'podman' | 'docker';
  source: 'local' | 'public';
  images: { dynamodb: string; redis: string };
}

export type RuntimeProbe = { available: true; runtime: ContainerRuntime } | { available: false; reason: string };

const run = promisify(execFile);

/** One call of scripts/docker-api.mjs against `dockerHost`; false when it fails. */
async function api(dockerHost: string, ...args: string[]): Promise<string | false> {
  try {
    const { stdout } = await run(process.execPath, [join(ROOT, 'scripts', 'docker-api.mjs'), ...args], {
      env: { ...process.env, DOCKER_HOST: dockerHost },
      timeout: 10_000,
    });
    return stdout.trim();
  } catch {
    return false;
  }
}

function readState(): Record<string, string> {
  if (!existsSync(STATE_FILE)) return {};
  const entries = readFileSync(STATE_FILE, 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
  return Object.fromEntries(entries);
}

/**
 * Decides where the container suites run, without starting anything: the engine containers:up recorded, else
 * $DOCKER_HOST, else /var/run/docker.sock; images by CONTAINER_IMAGES (local | public | auto: public on Docker, the
 * locally built ones on Podman, which has no registry to pull from here).
 */
export async function probeContainerRuntime(env: NodeJS.ProcessEnv = process.env): Promise<RuntimeProbe> {
  const mode = env['CONTAINER_IMAGES'] ?? 'auto';
  if (!['local', 'public', 'auto'].includes(mode)) {
    return { available: false, reason: `CONTAINER_IMAGES must be local, public or auto, not "${mode}"` };
  }
  const state = readState();
  const candidates = [state['DOCKER_HOST'], env['DOCKER_HOST'], 'unix:///var/run/docker.sock'].filter(
    (host, index, all): host is string => !!host && all.indexOf(host) === index,
  );
  let dockerHost: string | undefined;
  for (const host of candidates) {
    if ((await api(host, 'ping')) !== false) {
      dockerHost = host;
      break;
    }
  }
  if (!dockerHost) {
    return {
      available: false,
      reason: `no container engine answers (tried ${candidates.join(', ')}); \`npm run containers:up\` installs and starts one`,
    };
  }
  const engine = (await api(dockerHost, 'kind')) === 'podman' ? 'podman' : 'docker';
  const source = mode === 'auto' ? (engine === 'docker' ? 'public' : 'local') : mode;
  if (source === 'public')
    return { available: true, runtime: { dockerHost, engine, source, images: { ...PUBLIC_IMAGES } } };

  const prepared = state['DOCKER_HOST'] === dockerHost && state['CONTAINER_IMAGES'] === 'local';
  const images = { dynamodb: state['DYNAMODB_IMAGE'] ?? '', redis: state['REDIS_IMAGE'] ?? '' };
  if (!prepared || !images.dynamodb || !images.redis) {
    return {
      available: false,
      reason: `the local images are not built for ${dockerHost}; run \`npm run containers:up\``,
    };
  }
  for (const image of Object.values(images)) {
    if ((await api(dockerHost, 'image-exists', image)) === false) {
      return { available: false, reason: `image ${image} is gone from ${dockerHost}; run \`npm run containers:up\`` };
    }
  }
  return { available: true, runtime: { dockerHost, engine, source: 'local', images } };
}
