import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import { parseTemplateText } from '../cfn-yaml.js';
import type { Finding, Report } from './findings.js';
import { checkEnvironmentFile, checkNestedStacks, childOutputs } from './nested-stacks.js';
import { checkParameters, checkTemplateShape } from './parameters.js';
import { checkReferences, type AttributeCheck } from './references.js';
import { checkResourceProperties } from './resource-properties.js';
import type { ResourceSpec } from './spec.js';
import { isCustomResourceType, isObject, section, type TemplateFile } from './template-model.js';

const TEMPLATE_EXTENSIONS = new Set(['.yaml', '.yml', '.json', '.template']);
/** Per-environment parameter files live here, beside the templates; they are not templates. */
export const ENVIRONMENTS_DIR = 'environments';
/** The root template the environment files feed. */
export const ROOT_TEMPLATES = ['main.yaml', 'main.yml', 'main.json'];

export interface TemplateFolder {
  templates: TemplateFile[];
  environments: TemplateFile[];
  /** Files that parse but are no template (no `Resources` nor `AWSTemplateFormatVersion`): not checked. */
  skipped: string[];
  parseErrors: Finding[];
}

export interface CheckResult {
  templates: string[];
  environments: string[];
  skipped: string[];
  findings: Finding[];
}

/** Reads every template and environment file under `dir` (recursively, sorted). */
export async function readTemplateFolder(folderPath: string): Promise<TemplateFolder> {
  const dir = resolve(folderPath);
  const folder: TemplateFolder = { templates: [], environments: [], skipped: [], parseErrors: [] };
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && TEMPLATE_EXTENSIONS.has(extname(entry.name)))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const path of files) {
    const file = relative(dir, path).split(sep).join('/');
    let body: unknown;
    try {
      body = parseTemplateText(await readFile(path, 'utf8'));
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
      folder.parseErrors.push({ check: 'parse-error', file, path: '', message });
      continue;
    }
    if (!isObject(body)) {
      folder.parseErrors.push({ check: 'parse-error', file, path: '', message: 'the file is not a map' });
    } else if (file.startsWith(`${ENVIRONMENTS_DIR}/`)) {
      folder.environments.push({ file, path, body });
    } else if ('Resources' in body || 'AWSTemplateFormatVersion' in body) {
      folder.templates.push({ file, path, body });
    } else {
      folder.skipped.push(file);
    }
  }
  return folder;
}

/** Runs every template check on a folder of templates (see README "Checks"); no finding means it passes. */
export async function checkTemplateFolder(dir: string, spec: ResourceSpec): Promise<CheckResult> {
  const folder = await readTemplateFolder(dir);
  const byPath = new Map(folder.templates.map((template) => [template.path, template]));
  const children = (path: string) => byPath.get(path);
  const findings: Finding[] = [...folder.parseErrors];
  for (const template of folder.templates) {
    const report: Report = (finding) => findings.push({ file: template.file, ...finding });
    checkTemplateShape(template, report);
    checkResourceProperties(template, spec, report);
    const used = checkReferences(template, attributeCheck(template, spec, children), report);
    checkParameters(template, used, report);
    checkNestedStacks(template, children, report);
  }
  const root = folder.templates.find((template) => ROOT_TEMPLATES.includes(template.file));
  for (const environment of folder.environments) {
    checkEnvironmentFile(environment, root, (finding) => findings.push({ file: environment.file, ...finding }));
  }
  return {
    templates: folder.templates.map((template) => template.file),
    environments: folder.environments.map((environment) => environment.file),
    skipped: folder.skipped,
    findings,
  };
}

/** GetAtt names an attribute the resource's type has; for a nested stack, `Outputs.X` is an output of its child. */
function attributeCheck(
  template: TemplateFile,
  spec: ResourceSpec,
  children: (path: string) => TemplateFile | undefined,
): AttributeCheck {
  const resources = section(template.body, 'Resources');
  return (logicalId, attribute) => {
    const resource = resources[logicalId];
    const type = isObject(resource) ? resource.Type : undefined;
    if (typeof type !== 'string' || isCustomResourceType(type)) return undefined;
    if (type === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.')) {
      const outputs = childOutputs(template, logicalId, children);
      const output = attribute.slice('Outputs.'.length);
      return outputs && !outputs.has(output) ? `the nested stack ${logicalId} has no output ${output}` : undefined;
    }
    const definition = spec.resource(type);
    if (!definition || attribute in definition.attributes) return undefined;
    return `${type} has no attribute ${attribute} (it has ${Object.keys(definition.attributes).join(', ') || 'none'})`;
  };
}
