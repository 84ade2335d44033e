import { join } from 'node:path';
import {
  FUNCTIONS,
  packageLambdas,
  packageWorkflowDefinition,
  type Artifact,
  type LambdaArtifact,
} from './artifacts.js';
import { formatBytes, table, type Output } from './output.js';
import { readEnvironmentFile, resolveParameters, type EnvironmentName, type ResolvedParameter } from './parameters.js';
import { packageTemplate, readTemplate, type PackagedTemplate } from './templates.js';

/** Where the inputs live; defaults are the repository's, tests point them at fixtures. */
export interface PlanInputs {
  templatesDir: string;
  bundleRoot: string;
  workflowDefinition: string;
  bucket: string;
  region: string;
  prefix: string;
  cliParameters: Array<[string, string]>;
}

/** Everything a deploy or a package run computes locally, before any AWS call. */
export interface Plan {
  lambdas: LambdaArtifact[];
  workflowDefinition: Artifact;
  root: PackagedTemplate;
  /** Uploads in order: bundles, definition, child templates (depth first), root template. */
  uploads: Artifact[];
}

export interface EnvironmentConfig {
  env: EnvironmentName;
  parameters: ResolvedParameter[];
  tags: Record<string, string>;
}

export async function buildPlan(inputs: PlanInputs): Promise<Plan> {
  const lambdas = await packageLambdas(inputs.bundleRoot, inputs.prefix);
  const workflowDefinition = await packageWorkflowDefinition(inputs.workflowDefinition, inputs.prefix);
  const root = await packageTemplate(join(inputs.templatesDir, 'main.yaml'), inputs);
  return {
    lambdas,
    workflowDefinition,
    root,
    uploads: [...lambdas, workflowDefinition, ...root.children, root.artifact],
  };
}

/** The parameters the tool supplies itself: the bucket, code keys and hashes, the definition's key. */
export function computedParameters(plan: Plan, env: EnvironmentName, bucket: string): Record<string, string> {
  const computed: Record<string, string> = { EnvironmentName: env, ArtifactBucket: bucket };
  for (const fn of FUNCTIONS) {
    const lambda = plan.lambdas.find((candidate) => candidate.functionName === fn.name);
    if (!lambda) continue;
    computed[fn.keyParameter] = lambda.key;
    computed[fn.hashParameter] = lambda.sha256Base64;
  }
  computed.WorkflowDefinitionKey = plan.workflowDefinition.key;
  return computed;
}

export async function environmentConfig(
  plan: Plan,
  inputs: PlanInputs,
  env: EnvironmentName,
): Promise<EnvironmentConfig> {
  const file = await readEnvironmentFile(inputs.templatesDir, env);
  const template = await readTemplate(join(inputs.templatesDir, 'main.yaml'));
  const parameters = resolveParameters(
    template,
    { file: file.Parameters, computed: computedParameters(plan, env, inputs.bucket), cli: inputs.cliParameters },
    { file: `environments/${env}.json` },
  );
  return { env, parameters, tags: file.Tags };
}

/** The dry run's report: every parameter with its source, the bundles, the uploads and the templates' resources. */
export function printPlan(
  output: Output,
  plan: Plan,
  config: EnvironmentConfig,
  target: { stackName: string; region: string; bucket: string },
): void {
  output.out(
    `Plan for ${config.env}: stack ${target.stackName} in ${target.region}, artifacts in s3://${target.bucket}`,
  );
  output.out();
  output.out('Parameters');
  for (const line of table(
    ['name', 'value', 'source'],
    config.parameters.map((parameter) => [parameter.key, parameter.value, parameter.source]),
  ))
    output.out(`  ${line}`);
  if (Object.keys(config.tags).length > 0) {
    output.out();
    output.out(
      `Tags: ${Object.entries(config.tags)
        .map(([key, value]) => `${key}=${value}`)
        .join(', ')}`,
    );
  }
  output.out();
  output.out('Bundles');
  for (const lambda of plan.lambdas) {
    output.out(`  ${lambda.functionName}: ${formatBytes(lambda.body.length)} zipped -> ${lambda.key}`);
    output.out(`    CodeSha256 ${lambda.sha256Base64}`);
    for (const file of lambda.files) output.out(`    ${file.path}  ${formatBytes(file.bytes)}`);
  }
  output.out();
  output.out('Uploads (skipped when the key already exists)');
  for (const line of table(
    ['what', 'key', 'size'],
    plan.uploads.map((upload) => [upload.label, upload.key, formatBytes(upload.body.length)]),
  ))
    output.out(`  ${line}`);
  output.out();
  output.out('Resources in the templates (a new stack creates all of them; an update changes only what differs)');
  for (const line of table(
    ['stack', 'logical id', 'type'],
    plan.root.resources.map((resource) => [resource.stack, resource.logicalId, resource.type]),
  ))
    output.out(`  ${line}`);
}
