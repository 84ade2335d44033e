import { pathOf, type Report } from './findings.js';
import { Deprecation, type Property, type PropertyType, type ResourceSpec } from './spec.js';
import {
  intrinsicName,
  isCustomResourceType,
  isObject,
  section,
  type PlainObject,
  type TemplateFile,
} from './template-model.js';

const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'UpdatePolicy',
  'CreationPolicy',
]);

/**
 * Services AWS has ended or closed to new customers: the specification still lists their types, so a template using
 * them would validate and then fail (or strand the stack) in a real account.
 */
const DEPRECATED_TYPE_PREFIXES: Record<string, string> = {
  'AWS::OpsWorks::': 'AWS OpsWorks reached end of life in May 2024',
  'AWS::CodeStar::': 'AWS CodeStar was discontinued in July 2024',
  'AWS::Cloud9::': 'AWS Cloud9 is closed to new customers',
  'AWS::QLDB::': 'Amazon QLDB reached end of support in July 2025',
  'AWS::RoboMaker::': 'AWS RoboMaker was discontinued in September 2025',
  'AWS::Evidently::': 'CloudWatch Evidently was discontinued in October 2025',
  'AWS::LookoutMetrics::': 'Amazon Lookout for Metrics was discontinued in October 2025',
  'AWS::IoTAnalytics::': 'AWS IoT Analytics reached end of support in December 2025',
  'AWS::SDB::': 'Amazon SimpleDB is closed to new customers',
  'AWS::DataPipeline::': 'AWS Data Pipeline is closed to new customers',
};

const TAG: Record<string, Property> = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};

type Path = (string | number)[];
type Emit = (check: string, path: Path, message: string) => void;

/**
 * Each resource's type exists in the specification (and is not of a discontinued service); its property names exist
 * at every level where the specification gives the value a structure; its required properties are present. A value
 * computed by an intrinsic function is not read: it may be anything when deployed.
 */
export function checkResourceProperties(template: TemplateFile, spec: ResourceSpec, report: Report) {
  const transforms = ([] as unknown[]).concat(template.body.Transform ?? []);
  for (const [id, resource] of Object.entries(section(template.body, 'Resources'))) {
    const emit: Emit = (check, path, message) => report({ check, logicalId: id, path: pathOf(...path), message });
    const base = ['Resources', id];
    if (!isObject(resource)) {
      emit('resource-shape', base, 'a resource must be a map with a Type');
      continue;
    }
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_KEYS.has(key)) emit('resource-shape', [...base, key], `unknown resource attribute ${key}`);
    }
    const type = resource.Type;
    if (typeof type !== 'string') {
      emit('unknown-type', [...base, 'Type'], 'resource has no Type');
      continue;
    }
    const properties = resource.Properties ?? {};
    if (isCustomResourceType(type)) {
      if (!isObject(properties) || !('ServiceToken' in properties)) {
        emit('missing-required', [...base, 'Properties'], `${type} needs ServiceToken`);
      }
      continue;
    }
    const definition = spec.resource(type);
    if (!definition) {
      emit('unknown-type', [...base, 'Type'], `${type} is not a resource type of the CloudFormation specification`);
      continue;
    }
    const deprecated = Object.entries(DEPRECATED_TYPE_PREFIXES).find(([prefix]) => type.startsWith(prefix));
    if (deprecated) emit('deprecated-type', [...base, 'Type'], `${type}: ${deprecated[1]}`);
    if (definition.cloudFormationTransform && !transforms.includes(definition.cloudFormationTransform)) {
      emit('transform-required', [...base, 'Type'], `${type} needs Transform: ${definition.cloudFormationTransform}`);
    }
    checkStructure(spec, definition.properties, properties, [...base, 'Properties'], emit);
  }
}

function checkStructure(
  spec: ResourceSpec,
  definition: Record<string, Property>,
  value: unknown,
  path: Path,
  emit: Emit,
) {
  if (intrinsicName(value)) return;
  if (!isObject(value)) {
    emit('property-type', path, 'expected a map of properties');
    return;
  }
  for (const [name, item] of Object.entries(value)) {
    const property = definition[name];
    if (!property) {
      emit('unknown-property', [...path, name], `unknown property ${name}${suggestion(name, definition)}`);
      continue;
    }
    if (property.deprecated === Deprecation.WARN) emit('deprecated-property', [...path, name], `${name} is deprecated`);
    checkValue(spec, property.type, item, [...path, name], emit);
  }
  for (const [name, property] of Object.entries(definition)) {
    if (property.required && !(name in value)) emit('missing-required', path, `required property ${name} is missing`);
  }
}

function checkValue(spec: ResourceSpec, type: PropertyType, value: unknown, path: Path, emit: Emit): void {
  if (intrinsicName(value)) return;
  switch (type.type) {
    case 'ref':
      return checkStructure(spec, spec.typeDefinition(type).properties, value, path, emit);
    case 'tag':
      return checkStructure(spec, TAG, value, path, emit);
    case 'array':
      if (!Array.isArray(value)) return emit('property-type', path, 'expected a list');
      return value.forEach((item, index) => checkValue(spec, type.element, item, [...path, index], emit));
    case 'map':
      if (!isObject(value)) return emit('property-type', path, 'expected a map');
      return Object.entries(value).forEach(([key, item]) => checkValue(spec, type.element, item, [...path, key], emit));
    case 'union':
      return checkUnion(spec, type.types, value, path, emit);
    default:
      // Primitive values (string, number, boolean, json, date-time) are not checked: CloudFormation converts them.
      return;
  }
}

/** A value matches a union when it matches any member; otherwise the first member's findings are reported. */
function checkUnion(spec: ResourceSpec, members: PropertyType[], value: unknown, path: Path, emit: Emit) {
  const attempts = members.map((member) => {
    const found: Parameters<Emit>[] = [];
    checkValue(spec, member, value, path, (...args) => found.push(args));
    return found;
  });
  if (attempts.some((found) => found.length === 0)) return;
  attempts[0]?.forEach((args) => emit(...args));
}

function suggestion(name: string, definition: PlainObject): string {
  const match = Object.keys(definition).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return match ? ` (did you mean ${match}?)` : '';
}
