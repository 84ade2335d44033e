import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { AwsClients } from './clients.js';
import { DeployError } from './errors.js';
import type { Output } from './output.js';
import { describeStack, type Polling } from './stack.js';
import { webTarget } from './web-config.js';
import { readWebBuild, webBuildStaleness, type WebFile } from './web-files.js';
import { publishWeb } from './web-publish.js';

export interface WebStepIo {
  output: Output;
  root: string;
  /** Builds the client into `outDir` (`npm run build:web` with WEB_OUT_DIR by default). */
  buildWeb?: (outDir: string) => Promise<void>;
}

/** The built client, rebuilt first when it is missing or older than its sources (unless `skipBuild`). */
export async function prepareWebBuild(
  io: WebStepIo,
  options: { webDir?: string; skipBuild: boolean },
): Promise<{ dir: string; files: WebFile[] }> {
  const dir = resolve(io.root, options.webDir ?? 'dist/web');
  if (!options.skipBuild) {
    const stale = await webBuildStaleness(io.root, dir);
    if (stale) {
      io.output.err(`Building the web client (npm run build:web): ${stale}…`);
      await (io.buildWeb ?? ((outDir: string) => npmRunBuildWeb(io.root, outDir)))(dir);
    }
  }
  return { dir, files: await readWebBuild(dir) };
}

/** Reads the stack's outputs, publishes the client to its web bucket and prints where to open it. */
export async function publishWebStep(
  io: WebStepIo,
  clients: AwsClients,
  files: WebFile[],
  options: { stackName: string; force: boolean; wait: boolean; polling: Polling; now: () => Date },
): Promise<void> {
  const target = webTarget(options.stackName, await describeStack(clients.cloudFormation, options.stackName));
  io.output.err(`Publishing the web client to s3://${target.bucket} (distribution ${target.distributionId})…`);
  const result = await publishWeb(clients, target, files, { ...options, output: io.output });
  io.output.out(
    `Published the web client: ${result.uploaded.length} uploaded, ${result.unchanged.length} unchanged, ` +
      `${result.deleted.length} deleted` +
      (result.invalidationId ? `; invalidation ${result.invalidationId}` : '; nothing to invalidate'),
  );
  io.output.out(`Open the web client: ${target.webUrl}/`);
}

function npmRunBuildWeb(root: string, outDir: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('npm', ['run', '-s', 'build:web'], {
      cwd: root,
      env: { ...process.env, WEB_OUT_DIR: outDir },
      // The build's report goes to stderr with the other progress: stdout carries only results.
      stdio: ['ignore', 2, 2],
    });
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? done() : fail(new DeployError(`npm run build:web failed (exit ${code}).`, 'Its output is above.')),
    );
  });
}
