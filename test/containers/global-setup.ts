import { sep } from 'node:path';
import type { TestProject } from 'vitest/node';
import { probeContainerRuntime, type RuntimeProbe } from './support/runtime.js';

declare module 'vitest' {
  export interface ProvidedContext {
    containerRuntime: RuntimeProbe;
  }
}

const CONTAINER_TESTS = `${sep}test${sep}containers${sep}`;

/**
 * Probes for a container engine once per run, before any test file starts, and hands the answer to the suites in
 * test/containers/ (see support/containers.ts). It prints one line about the container suites — where they run, or
 * why they are skipped — and stays silent in runs that select none of them.
 */
export default async function setup(project: TestProject): Promise<void> {
  // The run's file filters (`vitest run test/unit`) are not public API; without them every file counts as selected.
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern ?? [];
  const { testFiles } = await project.globTestFiles(filters);
  if (!testFiles.some((file) => file.includes(CONTAINER_TESTS))) {
    project.provide('containerRuntime', { available: false, reason: 'no container suite selected' });
    return;
  }
  const probe = await probeContainerRuntime();
  project.provide('containerRuntime', probe);
  if (probe.available) {
    const { engine, dockerHost, source, images } = probe.runtime;
    console.log(
      `container suites: ${engine} at ${dockerHost}, ${source} images ${images.dynamodb} and ${images.redis}`,
    );
  } else if (process.env['REQUIRE_CONTAINERS'] === '1') {
    console.log(`container suites: REQUIRED (REQUIRE_CONTAINERS=1) but cannot run, so they fail: ${probe.reason}`);
  } else {
    console.log(`container suites: skipped, ${probe.reason}`);
  }
}
