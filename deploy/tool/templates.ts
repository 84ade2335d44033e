import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { artifact, type Artifact } from './artifacts.js';
import { dumpTemplateText, parseTemplateText } from '../cfn-yaml.js';
import { DeployError } from './errors.js';

/** The parts of a CloudFormation template the tool reads; everything else passes through untouched. */
export interface Template {
  Parameters?: Record<string, { Type?: string; Default?: unknown; AllowedValues?: unknown[] }>;
  Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, unknown>;
  [section: string]: unknown;
}

/** A resource as the plan lists it: where it lives (`main`, `main/Api`, …). */
export interface PlannedResource {
  stack: string;
  logicalId: string;
  type: string;
}

/** A template after its children were uploaded: its new body and every upload it needs, children first. */
export interface PackagedTemplate {
  path: string;
  template: Template;
  /** The packaged body (YAML, CloudFormation short tags kept). */
  body: string;
  /** This template's own upload. */
  artifact: Artifact;
  /** Children's uploads (depth first), not including this template's own. */
  children: Artifact[];
  resources: PlannedResource[];
}

const NESTED_STACK = 'AWS::CloudFormation::Stack';

/** Serialises a template as YAML with the intrinsics written back as short tags. */
export function dumpTemplate(template: Template): string {
  return dumpTemplateText(template);
}

/** Parses a template file with CloudFormation's short tags read as intrinsics (deploy/cfn-yaml.ts). */
export async function readTemplate(path: string): Promise<Template> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new DeployError(`The template ${path} cannot be read.`, 'Check --templates points at deploy/cloudformation.');
  });
  let parsed: unknown;
  try {
    parsed = path.endsWith('.json') ? JSON.parse(text) : parseTemplateText(text);
  } catch (error) {
    throw new DeployError(`The template ${path} is not valid YAML: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
  if (!parsed || typeof parsed !== 'object' || !('Resources' in parsed)) {
    throw new DeployError(`The template ${path} has no Resources section.`);
  }
  return parsed as Template;
}

/** A TemplateURL that names a file beside the template (as `aws cloudformation package` reads it), not a URL. */
function isLocalPath(url: unknown): url is string {
  return typeof url === 'string' && !/^(https?|s3):\/\//i.test(url);
}

/** The https URL CloudFormation reads an uploaded template from. */
export function s3Url(bucket: string, region: string, key: string): string {
  return `https://${bucket}.s3.${region}.amazonaws.com/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Packages a template the way `aws cloudformation package` does: every nested stack whose TemplateURL is a local
 * path is packaged first (recursively), uploaded under a content-addressed key, and its TemplateURL rewritten to the
 * upload's https URL. A child's key hashes its packaged body, so a change deep in the tree changes every key above it.
 */
export async function packageTemplate(
  path: string,
  context: { bucket: string; region: string; prefix: string },
  stackPath = 'main',
  visiting: string[] = [],
): Promise<PackagedTemplate> {
  const absolute = resolve(path);
  if (visiting.includes(absolute)) {
    throw new DeployError(`Nested stacks form a cycle: ${[...visiting, absolute].join(' -> ')}`);
  }
  const template = await readTemplate(absolute);
  const children: Artifact[] = [];
  const resources: PlannedResource[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const type = resource.Type ?? '(no Type)';
    resources.push({ stack: stackPath, logicalId, type });
    const url = resource.Properties?.TemplateURL;
    if (type !== NESTED_STACK || !isLocalPath(url)) continue;
    const childPath = isAbsolute(url) ? url : resolve(dirname(absolute), url);
    const child = await packageTemplate(childPath, context, `${stackPath}/${logicalId}`, [...visiting, absolute]);
    children.push(...child.children, child.artifact);
    resources.push(...child.resources);
    resource.Properties = {
      ...resource.Properties,
      TemplateURL: s3Url(context.bucket, context.region, child.artifact.key),
    };
  }
  const body = dumpTemplate(template);
  const name = basename(absolute, extname(absolute));
  const own = artifact(
    `template ${stackPath}`,
    Buffer.from(body, 'utf8'),
    { prefix: context.prefix, folder: 'templates', name, ext: '.yaml' },
    'application/x-yaml',
  );
  return { path: absolute, template, body, artifact: own, children, resources };
}
