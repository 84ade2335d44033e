import { pathOf, type Report } from './findings.js';
import { PSEUDO_PARAMETERS, isObject, section, type PlainObject, type TemplateFile } from './template-model.js';

/** Says what is wrong with `GetAtt logicalId.attribute`, or nothing when the resource type has that attribute. */
export type AttributeCheck = (logicalId: string, attribute: string) => string | undefined;

/** `${Name}`, `${Res.Attr}`; `${!Literal}` is written out as `${Literal}` and names nothing. */
const SUB_VARIABLE = /\$\{([^}]*)\}/g;

interface Scope {
  parameters: PlainObject;
  resources: PlainObject;
  conditions: PlainObject;
  mappings: PlainObject;
  used: Set<string>;
  getAtt: AttributeCheck;
  report: Report;
}

/**
 * Every `Ref`, `GetAtt`, `Sub` variable, `DependsOn`, condition and `FindInMap` of one template names something that
 * exists; every output has a value. Returns the parameters the template uses.
 */
export function checkReferences(template: TemplateFile, getAtt: AttributeCheck, report: Report): Set<string> {
  const { body } = template;
  const scope: Scope = {
    parameters: section(body, 'Parameters'),
    resources: section(body, 'Resources'),
    conditions: section(body, 'Conditions'),
    mappings: section(body, 'Mappings'),
    used: new Set(),
    getAtt,
    report,
  };
  for (const [name, condition] of Object.entries(scope.conditions)) {
    walk(scope, condition, ['Conditions', name], name, true);
  }
  for (const [id, resource] of Object.entries(scope.resources)) {
    if (!isObject(resource)) continue;
    checkConditionName(scope, resource.Condition, ['Resources', id, 'Condition'], id);
    checkDependsOn(scope, resource.DependsOn, id);
    for (const key of ['Properties', 'Metadata', 'CreationPolicy', 'UpdatePolicy']) {
      if (key in resource) walk(scope, resource[key], ['Resources', id, key], id, false);
    }
  }
  for (const [name, output] of Object.entries(section(body, 'Outputs'))) {
    if (!isObject(output) || !('Value' in output)) {
      report({ check: 'output-value', logicalId: name, path: pathOf('Outputs', name), message: 'output has no Value' });
      continue;
    }
    checkConditionName(scope, output.Condition, ['Outputs', name, 'Condition'], name);
    walk(scope, output.Value, ['Outputs', name, 'Value'], name, false);
    if (isObject(output.Export)) walk(scope, output.Export.Name, ['Outputs', name, 'Export', 'Name'], name, false);
  }
  return scope.used;
}

function checkDependsOn(scope: Scope, dependsOn: unknown, id: string) {
  if (dependsOn === undefined) return;
  const names = Array.isArray(dependsOn) ? dependsOn : [dependsOn];
  names.forEach((name, index) => {
    const path = Array.isArray(dependsOn) ? ['Resources', id, 'DependsOn', index] : ['Resources', id, 'DependsOn'];
    if (typeof name !== 'string' || !(name in scope.resources)) {
      scope.report({
        check: 'unresolved-dependson',
        logicalId: id,
        path: pathOf(...path),
        message: `DependsOn names ${JSON.stringify(name)}, which is not a resource of this template`,
      });
    }
  });
}

function checkConditionName(scope: Scope, name: unknown, path: (string | number)[], id: string) {
  if (name === undefined) return;
  if (typeof name !== 'string' || !(name in scope.conditions)) {
    scope.report({
      check: 'unknown-condition',
      logicalId: id,
      path: pathOf(...path),
      message: `condition ${JSON.stringify(name)} is not declared in Conditions`,
    });
  }
}

/** Walks a value; `inCondition` makes `{ Condition: X }` the condition intrinsic (it is a plain key elsewhere). */
function walk(scope: Scope, value: unknown, path: (string | number)[], id: string, inCondition: boolean): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => walk(scope, item, [...path, index], id, inCondition));
    return;
  }
  if (!isObject(value)) return;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const key = keys[0]!;
    const argument = value[key];
    const here = [...path, key];
    switch (key) {
      case 'Ref':
        return checkRef(scope, argument, here, id);
      case 'Fn::GetAtt':
        return checkGetAtt(scope, argument, here, id);
      case 'Fn::Sub':
        return checkSub(scope, argument, here, id);
      case 'Fn::FindInMap':
        checkFindInMap(scope, argument, here, id);
        break;
      case 'Fn::If':
        if (Array.isArray(argument)) checkConditionName(scope, argument[0], [...here, 0], id);
        if (Array.isArray(argument)) return walk(scope, argument.slice(1), here, id, inCondition);
        break;
      case 'Condition':
        if (inCondition) return checkConditionName(scope, argument, here, id);
        break;
      case 'Fn::And':
      case 'Fn::Or':
      case 'Fn::Not':
        return walk(scope, argument, here, id, true);
    }
  }
  for (const key of keys) walk(scope, value[key], [...path, key], id, inCondition);
}

function checkRef(scope: Scope, name: unknown, path: (string | number)[], id: string) {
  if (typeof name === 'string' && name in scope.parameters) {
    scope.used.add(name);
    return;
  }
  if (typeof name === 'string' && (PSEUDO_PARAMETERS.has(name) || name in scope.resources)) return;
  scope.report({
    check: 'unresolved-ref',
    logicalId: id,
    path: pathOf(...path),
    message: `Ref ${JSON.stringify(name)} is neither a parameter, a resource nor a pseudo parameter`,
  });
}

function checkGetAtt(scope: Scope, argument: unknown, path: (string | number)[], id: string) {
  const parts = typeof argument === 'string' ? splitAttribute(argument) : argument;
  if (!Array.isArray(parts) || parts.length !== 2 || typeof parts[0] !== 'string') {
    scope.report({
      check: 'bad-getatt',
      logicalId: id,
      path: pathOf(...path),
      message: 'GetAtt needs [resource, attribute]',
    });
    return;
  }
  const [resource, attribute] = parts as [string, unknown];
  if (typeof attribute !== 'string') return walk(scope, attribute, [...path, 1], id, false);
  getAttProblem(scope, resource, attribute, path, id);
}

const splitAttribute = (text: string) => {
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
};

function getAttProblem(scope: Scope, resource: string, attribute: string, path: (string | number)[], id: string) {
  const problem =
    resource in scope.resources
      ? scope.getAtt(resource, attribute)
      : `GetAtt ${resource}.${attribute}: ${resource} is not a resource of this template`;
  if (problem) scope.report({ check: 'bad-getatt', logicalId: id, path: pathOf(...path), message: problem });
}

function checkSub(scope: Scope, argument: unknown, path: (string | number)[], id: string) {
  let text: unknown = argument;
  let variables: PlainObject = {};
  if (Array.isArray(argument)) {
    text = argument[0] as unknown;
    variables = isObject(argument[1]) ? argument[1] : {};
    walk(scope, argument[1], [...path, 1], id, false);
  }
  if (typeof text !== 'string') {
    scope.report({ check: 'unresolved-sub', logicalId: id, path: pathOf(...path), message: 'Sub needs a string' });
    return;
  }
  for (const match of text.matchAll(SUB_VARIABLE)) {
    const name = match[1]!.trim();
    if (name in scope.parameters && !(name in variables)) scope.used.add(name);
    if (name.startsWith('!') || name in variables || name in scope.parameters) continue;
    if (PSEUDO_PARAMETERS.has(name) || name in scope.resources) continue;
    const dot = name.indexOf('.');
    if (dot > 0 && name.slice(0, dot) in scope.resources) {
      getAttProblem(scope, name.slice(0, dot), name.slice(dot + 1), path, id);
      continue;
    }
    scope.report({
      check: 'unresolved-sub',
      logicalId: id,
      path: pathOf(...path),
      message: `Sub variable \${${name}} is neither a Sub variable, a parameter, a resource nor a pseudo parameter`,
    });
  }
}

function checkFindInMap(scope: Scope, argument: unknown, path: (string | number)[], id: string) {
  if (!Array.isArray(argument) || argument.length < 3) {
    scope.report({
      check: 'bad-findinmap',
      logicalId: id,
      path: pathOf(...path),
      message: 'FindInMap needs 3 arguments',
    });
    return;
  }
  const [mapName, topKey, secondKey] = argument as unknown[];
  if (typeof mapName !== 'string') return;
  const problem = (message: string) =>
    scope.report({ check: 'bad-findinmap', logicalId: id, path: pathOf(...path), message });
  const map = scope.mappings[mapName];
  if (!isObject(map)) return problem(`mapping ${mapName} is not declared in Mappings`);
  if (typeof secondKey !== 'string') return;
  if (typeof topKey === 'string') {
    const entry = map[topKey];
    if (!isObject(entry)) return problem(`mapping ${mapName} has no key ${topKey}`);
    if (!(secondKey in entry)) problem(`mapping ${mapName}.${topKey} has no key ${secondKey}`);
  } else if (!Object.values(map).some((entry) => isObject(entry) && secondKey in entry)) {
    problem(`no entry of mapping ${mapName} has the key ${secondKey}`);
  }
}
