import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathOf, type Report } from './findings.js';
import { intrinsicName, isObject, section, type TemplateFile } from './template-model.js';

const NESTED_STACK = 'AWS::CloudFormation::Stack';

/** The local file a nested stack's literal relative `TemplateURL` names; undefined for a URL or a computed value. */
export function childTemplatePath(parent: TemplateFile, resource: unknown): string | undefined {
  if (!isObject(resource) || resource.Type !== NESTED_STACK || !isObject(resource.Properties)) return undefined;
  const url = resource.Properties.TemplateURL;
  if (typeof url !== 'string' || /^[a-z][a-z0-9+.-]*:/i.test(url)) return undefined;
  return resolve(dirname(parent.path), url);
}

/**
 * Each nested stack's child file exists; the parent's `Parameters` supply every child parameter without a Default and
 * name none the child does not declare. `children` finds an already parsed child by absolute path.
 */
export function checkNestedStacks(
  parent: TemplateFile,
  children: (path: string) => TemplateFile | undefined,
  report: Report,
) {
  for (const [id, resource] of Object.entries(section(parent.body, 'Resources'))) {
    const childPath = childTemplatePath(parent, resource);
    if (!childPath || !isObject(resource) || !isObject(resource.Properties)) continue;
    const base = ['Resources', id, 'Properties'];
    const child = children(childPath);
    if (!child) {
      const problem = existsSync(childPath) ? 'is not a parsable template' : 'does not exist';
      report({
        check: 'nested-template',
        logicalId: id,
        path: pathOf(...base, 'TemplateURL'),
        message: `nested template ${String(resource.Properties.TemplateURL)} ${problem}`,
      });
      continue;
    }
    const given = resource.Properties.Parameters ?? {};
    if (intrinsicName(given) || !isObject(given)) continue;
    const declared = section(child.body, 'Parameters');
    for (const name of Object.keys(given)) {
      if (!(name in declared)) {
        report({
          check: 'nested-parameters',
          logicalId: id,
          path: pathOf(...base, 'Parameters', name),
          message: `${child.file} declares no parameter ${name}`,
        });
      }
    }
    for (const [name, parameter] of Object.entries(declared)) {
      if (!(name in given) && !(isObject(parameter) && 'Default' in parameter)) {
        report({
          check: 'nested-parameters',
          logicalId: id,
          path: pathOf(...base, 'Parameters'),
          message: `${child.file} needs parameter ${name} (it has no Default) and the stack does not pass it`,
        });
      }
    }
  }
}

/** The outputs of the nested stack `logicalId`'s child template, or undefined when the child is not a local file. */
export function childOutputs(
  parent: TemplateFile,
  logicalId: string,
  children: (path: string) => TemplateFile | undefined,
): Set<string> | undefined {
  const childPath = childTemplatePath(parent, section(parent.body, 'Resources')[logicalId]);
  const child = childPath ? children(childPath) : undefined;
  return child ? new Set(Object.keys(section(child.body, 'Outputs'))) : undefined;
}

/** An environment file (`{ "Parameters": {...}, "Tags": {...} }`) names only parameters the root template declares. */
export function checkEnvironmentFile(environment: TemplateFile, root: TemplateFile | undefined, report: Report) {
  for (const key of Object.keys(environment.body)) {
    if (key !== 'Parameters' && key !== 'Tags') {
      report({ check: 'environment-file', path: key, message: `unknown key ${key} (Parameters and Tags only)` });
    }
  }
  for (const [key, value] of Object.entries(section(environment.body, 'Tags'))) {
    if (typeof value !== 'string') {
      report({ check: 'environment-file', path: pathOf('Tags', key), message: 'a tag value must be a string' });
    }
  }
  if (!root) {
    report({
      check: 'environment-file',
      path: 'Parameters',
      message: 'no root template to check the parameters against',
    });
    return;
  }
  const declared = section(root.body, 'Parameters');
  for (const name of Object.keys(section(environment.body, 'Parameters'))) {
    if (!(name in declared)) {
      report({
        check: 'environment-parameter',
        logicalId: name,
        path: pathOf('Parameters', name),
        message: `${root.file} declares no parameter ${name}`,
      });
    }
  }
}
