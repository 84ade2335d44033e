import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Stack } from '@aws-sdk/client-cloudformation';
import { Command, CommanderError } from 'commander';
import { createClients, type AwsClients } from './clients.js';
import { CREATE_BUCKET_HINT, DeployError } from './errors.js';
import type { Output } from './output.js';
import {
  assertEnvironment,
  ENVIRONMENTS,
  parseParameterOption,
  type EnvironmentName,
  type ResolvedParameter,
} from './parameters.js';
import { buildPlan, environmentConfig, printPlan, type PlanInputs } from './plan.js';
import {
  changeSetTypeFor,
  createChangeSet,
  DEFAULT_POLLING,
  deleteChangeSet,
  describeStack,
  eventsSoFar,
  executeChangeSet,
  printChanges,
  printOutputs,
  waitForChangeSet,
  waitForStack,
  type Polling,
} from './stack.js';
import { s3Url } from './templates.js';
import { uploadArtifacts } from './uploads.js';
import { printWebPlan } from './web-publish.js';
import { prepareWebBuild, publishWebStep } from './web-step.js';
import type { WebFile } from './web-files.js';

/** What the command reads from and writes to; the CLI passes the process's, tests their own. */
export interface DeployIo {
  output: Output;
  env: NodeJS.ProcessEnv;
  /** The repository root: templates, bundles and the workflow definition are found from here by default. */
  root: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Builds the Lambda bundles (`npm run bundle` by default). */
  bundle?: () => Promise<void>;
  /** Builds the web client into a folder (`npm run build:web` with WEB_OUT_DIR by default). */
  buildWeb?: (outDir: string) => Promise<void>;
  polling?: Polling;
  /** A fixed clock for change set names in tests. */
  now?: () => Date;
}

interface Options {
  env?: string;
  region?: string;
  stackName?: string;
  artifactBucket?: string;
  prefix?: string;
  parameter: string[];
  dryRun?: boolean;
  packageOnly?: boolean;
  out: string;
  skipBundle?: boolean;
  bundleDir?: string;
  templates?: string;
  force?: boolean;
  yes?: boolean;
  webOnly?: boolean;
  skipWeb?: boolean;
  webDir?: string;
  skipWebBuild?: boolean;
  wait?: boolean;
}

function program(): Command {
  return new Command('deploy')
    .description('Package the Lambda bundles and templates, upload them, and deploy the stack through a change set.')
    .option('--env <name>', `environment: ${ENVIRONMENTS.join(' | ')}`)
    .option('--region <region>', 'AWS region (default: AWS_REGION, then the profile)')
    .option('--stack-name <name>', 'stack name (default: voice-assistant-<env>)')
    .option('--artifact-bucket <bucket>', 'S3 bucket for the artifacts (default: ARTIFACT_BUCKET)')
    .option(
      '--prefix <prefix>',
      'key prefix (default: voice-assistant/<env>; voice-assistant/pipeline with --package-only)',
    )
    .option('--parameter <Key=Value>', 'override a stack parameter (repeatable)', (v, all: string[]) => [...all, v], [])
    .option('--dry-run', 'print the plan; make no AWS call')
    .option('--package-only', 'upload the artifacts and write the packaged template and configurations; no stack call')
    .option('--out <dir>', 'output directory for --package-only', 'dist/deploy')
    .option('--skip-bundle', 'reuse the bundles in dist/lambda instead of running npm run bundle')
    .option('--bundle-dir <dir>', 'where the bundles are (default: dist/lambda)')
    .option('--templates <dir>', 'template directory (default: deploy/cloudformation)')
    .option('--force', 'upload even when the key already exists')
    .option('--yes', 'execute the change set without asking')
    .option('--web-only', "publish only the web client to the deployed stack's bucket (no bundle, no change set)")
    .option('--skip-web', 'deploy the stack without publishing the web client')
    .option('--web-dir <dir>', 'the built web client (default: dist/web; built first when missing or stale)')
    .option('--skip-web-build', 'publish the web client in --web-dir as it is, without rebuilding a stale one')
    .option('--wait', 'wait for the CloudFront invalidation to complete')
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
}

/** Runs `npm run deploy -- <argv>`; resolves to the exit code. Errors the user can act on print without a stack. */
export async function runDeployCommand(argv: string[], io: DeployIo): Promise<number> {
  const command = program();
  let options: Options;
  try {
    options = command.parse(argv, { from: 'user' }).opts<Options>();
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
        io.output.out(command.helpInformation());
        return 0;
      }
      io.output.err(`error: ${error.message.replace(/^error: /, '')}`);
      io.output.err(command.helpInformation());
      return 2;
    }
    throw error;
  }
  try {
    return await run(options, io);
  } catch (error) {
    if (error instanceof DeployError) {
      io.output.err(`error: ${error.message}`);
      if (error.hint) io.output.err(error.hint.replace(/^/gm, '  '));
      return 1;
    }
    io.output.err(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}

async function run(options: Options, io: DeployIo): Promise<number> {
  if (options.dryRun && options.packageOnly) throw new DeployError('--dry-run and --package-only exclude each other.');
  if (options.webOnly && (options.packageOnly || options.skipWeb)) {
    throw new DeployError('--web-only excludes --package-only and --skip-web.');
  }
  const env = options.packageOnly && options.env === undefined ? undefined : assertEnvironment(options.env);
  const region = options.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  const bucket = options.artifactBucket ?? io.env.ARTIFACT_BUCKET;
  const stackName = options.stackName ?? `voice-assistant-${env}`;
  const inputs = (resolvedBucket: string, resolvedRegion: string): PlanInputs => ({
    templatesDir: resolve(io.root, options.templates ?? 'deploy/cloudformation'),
    bundleRoot: resolve(io.root, options.bundleDir ?? 'dist/lambda'),
    workflowDefinition: resolve(io.root, 'deploy/workflow/turn-workflow.asl.json'),
    bucket: resolvedBucket,
    region: resolvedRegion,
    prefix: options.prefix ?? (options.packageOnly ? 'voice-assistant/pipeline' : `voice-assistant/${env}`),
    cliParameters: options.parameter.map(parseParameterOption),
  });

  if (!options.skipBundle && !options.webOnly) {
    io.output.err('Bundling the Lambda functions (npm run bundle)…');
    await (io.bundle ?? (() => npmRunBundle(io.root)))();
  }
  // Built before any AWS call, so a client that does not build stops the deploy before the stack changes.
  const web =
    options.packageOnly || options.skipWeb
      ? undefined
      : await prepareWebBuild(io, {
          ...(options.webDir && { webDir: options.webDir }),
          skipBuild: Boolean(options.skipWebBuild),
        });

  if (options.dryRun) {
    if (!options.webOnly) {
      // No client is built here: the region and bucket shown are the ones given, or placeholders.
      const planInputs = inputs(bucket ?? '<artifact-bucket>', region ?? '<region from the AWS profile>');
      const plan = await buildPlan(planInputs);
      const config = await environmentConfig(plan, planInputs, env as EnvironmentName);
      printPlan(io.output, plan, config, { stackName, region: planInputs.region, bucket: planInputs.bucket });
    }
    if (web) printWebPlan(io.output, web.files, { stackName, buildDir: web.dir });
    io.output.out();
    io.output.out('Dry run: no AWS call was made.');
    return 0;
  }

  if (!bucket && !options.webOnly) throw new DeployError('No artifact bucket given.', CREATE_BUCKET_HINT);
  const clients = createClients({ ...(region && { region }), env: io.env });
  try {
    const resolvedRegion = await clients.region().catch(() => {
      throw new DeployError(
        'No AWS region is configured.',
        'Pass --region (e.g. --region eu-west-1), set AWS_REGION, or set a region in your AWS profile.',
      );
    });
    const publish = web && (() => publishWebFiles(options, io, clients, stackName, web.files));
    if (options.webOnly && publish) {
      await publish();
      return 0;
    }
    const planInputs = inputs(bucket ?? '', resolvedRegion);
    const plan = await buildPlan(planInputs);
    if (options.packageOnly) return await packageOnly(options, io, clients, planInputs, plan, bucket ?? '');
    const code = await deploy(options, io, clients, planInputs, plan, {
      env: env as EnvironmentName,
      bucket: bucket ?? '',
      resolvedRegion,
      stackName,
    });
    if (code === 0 && publish) await publish();
    return code;
  } finally {
    clients.destroy();
  }
}

function publishWebFiles(
  options: Options,
  io: DeployIo,
  clients: AwsClients,
  stackName: string,
  files: WebFile[],
): Promise<void> {
  return publishWebStep(io, clients, files, {
    stackName,
    force: Boolean(options.force),
    wait: Boolean(options.wait),
    polling: io.polling ?? DEFAULT_POLLING,
    now: io.now ?? (() => new Date()),
  });
}

async function packageOnly(
  options: Options,
  io: DeployIo,
  clients: AwsClients,
  planInputs: PlanInputs,
  plan: Awaited<ReturnType<typeof buildPlan>>,
  bucket: string,
): Promise<number> {
  // The configurations are checked before anything is uploaded, so a bad environment file costs no upload.
  const wanted = options.env ? [assertEnvironment(options.env)] : [...ENVIRONMENTS];
  const configs = [];
  for (const env of wanted) configs.push(await environmentConfig(plan, planInputs, env));
  io.output.err(`Uploading to s3://${bucket}`);
  // The root template travels in the build artifact; its children must be in S3 for CloudFormation to read them.
  await uploadArtifacts(clients.s3, bucket, plan.uploads.slice(0, -1), {
    force: Boolean(options.force),
    output: io.output,
  });
  const dir = join(resolve(io.root, options.out), 'packaged');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'main.packaged.yaml'), plan.root.body);
  io.output.out(join(dir, 'main.packaged.yaml'));
  for (const config of configs) {
    const file = join(dir, `${config.env}.config.json`);
    const parameters = Object.fromEntries(config.parameters.map((parameter) => [parameter.key, parameter.value]));
    await writeFile(file, `${JSON.stringify({ Parameters: parameters, Tags: config.tags }, null, 2)}\n`);
    io.output.out(file);
  }
  return 0;
}

async function deploy(
  options: Options,
  io: DeployIo,
  clients: AwsClients,
  planInputs: PlanInputs,
  plan: Awaited<ReturnType<typeof buildPlan>>,
  target: { env: EnvironmentName; bucket: string; resolvedRegion: string; stackName: string },
): Promise<number> {
  const polling = io.polling ?? DEFAULT_POLLING;
  const { stackName } = target;
  const config = await environmentConfig(plan, planInputs, target.env);
  io.output.err(
    `Deploying ${stackName} (${target.env}) in ${target.resolvedRegion}; uploading to s3://${target.bucket}`,
  );
  await uploadArtifacts(clients.s3, target.bucket, plan.uploads, { force: Boolean(options.force), output: io.output });

  const cfn = clients.cloudFormation;
  const existing = await describeStack(cfn, stackName);
  const type = changeSetTypeFor(stackName, existing);
  const changeSetName = `deploy-${(io.now?.() ?? new Date()).toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
  io.output.err(`Creating ${type === 'CREATE' ? 'a CREATE' : 'an UPDATE'} change set ${changeSetName}…`);
  const changeSetId = await createChangeSet(cfn, {
    stackName,
    changeSetName,
    type,
    templateUrl: s3Url(target.bucket, target.resolvedRegion, plan.root.artifact.key),
    parameters: [...config.parameters, ...keptFromStack(existing, config.parameters)],
    tags: config.tags,
  });
  const changes = await waitForChangeSet(cfn, changeSetId, polling);
  if (changes === 'no changes') {
    io.output.out(`No changes: ${stackName} already matches these templates and parameters.`);
    await deleteChangeSet(cfn, changeSetId);
    return 0;
  }
  printChanges(io.output, changes);
  if (!options.yes && !(await confirm(io, stackName))) return 1;

  const seen = await eventsSoFar(cfn, stackName);
  await executeChangeSet(cfn, changeSetId);
  io.output.err(`Executing ${changeSetName}; events:`);
  const stack = await waitForStack(cfn, stackName, seen, { polling, output: io.output });
  io.output.out(`Deployed ${stackName}: ${stack.StackStatus}`);
  printOutputs(io.output, stack);
  return 0;
}

/** Parameters another deployer owns, kept at the stack's value unless given: the pipeline's web publish role. */
const KEPT_PARAMETERS = ['WebPublisherRoleArn'];

/** An omitted parameter reverts to its Default on update, which would drop the pipeline's grant on the web bucket. */
function keptFromStack(stack: Stack | undefined, given: ResolvedParameter[]): ResolvedParameter[] {
  return KEPT_PARAMETERS.flatMap((key) => {
    const value = stack?.Parameters?.find((parameter) => parameter.ParameterKey === key)?.ParameterValue;
    if (!value || given.some((parameter) => parameter.key === key)) return [];
    return [{ key, value, source: 'computed' as const }];
  });
}

/** Asks on a terminal; without one (CI, a pipe) it refuses rather than deploy unseen changes. */
async function confirm(io: DeployIo, stackName: string): Promise<boolean> {
  if (!io.stdin.isTTY) {
    throw new DeployError(
      `Not executing: stdin is not a terminal, so the changes above cannot be confirmed.`,
      `Pass --yes to execute without asking. The change set is left on ${stackName} for review in the console.`,
    );
  }
  const prompt = createInterface({ input: io.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`Execute these changes on ${stackName}? [y/N] `);
    if (/^y(es)?$/i.test(answer.trim())) return true;
    io.output.err('Not executed; the change set is left for review in the console.');
    return false;
  } finally {
    prompt.close();
  }
}

function npmRunBundle(root: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('npm', ['run', '-s', 'bundle'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? done() : fail(new DeployError(`npm run bundle failed (exit ${code}).`, 'Its output is above.')),
    );
  });
}
