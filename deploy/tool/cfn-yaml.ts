import { CORE_SCHEMA, DEFAULT_SCHEMA, dump, load, Type } from 'js-yaml';

/*
 * CloudFormation's short-form intrinsics (`!Ref X`, `!GetAtt A.B`, `!Sub '…'`) read as their long form
 * (`{ Ref: X }`, `{ 'Fn::GetAtt': [A, B] }`), the way `aws cloudformation package` reads them, and are written back
 * as short tags. Each tag exists for scalars, sequences and mappings, as CloudFormation accepts any of them.
 */
const FUNCTIONS = [
  'Ref',
  'Condition',
  'Fn::And',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::Contains',
  'Fn::EachMemberEquals',
  'Fn::EachMemberIn',
  'Fn::Equals',
  'Fn::FindInMap',
  'Fn::ForEach',
  'Fn::GetAtt',
  'Fn::GetAZs',
  'Fn::If',
  'Fn::ImportValue',
  'Fn::Join',
  'Fn::Length',
  'Fn::Not',
  'Fn::Or',
  'Fn::RefAll',
  'Fn::Select',
  'Fn::Split',
  'Fn::Sub',
  'Fn::ToJsonString',
  'Fn::Transform',
  'Fn::ValueOf',
  'Fn::ValueOfAll',
];

function tagTypes(name: string): Type[] {
  const tag = `!${name.replace(/^Fn::/, '')}`;
  const isGetAtt = name === 'Fn::GetAtt';
  return (['scalar', 'sequence', 'mapping'] as const).map(
    (kind) =>
      new Type(tag, {
        kind,
        // `!GetAtt Resource.Attribute` is the short form of `[Resource, Attribute]` (split at the first dot).
        construct: (data: unknown) => {
          if (isGetAtt && typeof data === 'string' && data.includes('.')) {
            const at = data.indexOf('.');
            return { [name]: [data.slice(0, at), data.slice(at + 1)] };
          }
          return { [name]: data };
        },
        predicate: (value: unknown) =>
          value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          Object.keys(value).length === 1 &&
          name in value &&
          kindOf((value as Record<string, unknown>)[name], isGetAtt) === kind,
        represent: (value: object) => {
          const inner = (value as Record<string, unknown>)[name];
          return isGetAtt && Array.isArray(inner) && inner.every((part) => typeof part === 'string')
            ? inner.join('.')
            : (inner as object);
        },
      }),
  );
}

/** Which of the three variants writes a value: GetAtt's string pair is written as `A.B`. */
function kindOf(inner: unknown, isGetAtt: boolean): 'scalar' | 'sequence' | 'mapping' {
  if (Array.isArray(inner)) {
    return isGetAtt && inner.length === 2 && inner.every((part) => typeof part === 'string') ? 'scalar' : 'sequence';
  }
  return inner !== null && typeof inner === 'object' ? 'mapping' : 'scalar';
}

const TAGS = FUNCTIONS.flatMap(tagTypes);

/*
 * Reading uses the core schema, so `AWSTemplateFormatVersion: 2010-09-09` stays a string. Writing uses the default
 * schema, which quotes every string that a YAML 1.1 reader (CloudFormation's) could take for a date, number or boolean.
 */
const READ_SCHEMA = CORE_SCHEMA.extend({ explicit: TAGS });
const WRITE_SCHEMA = DEFAULT_SCHEMA.extend({ explicit: TAGS });

export function parseCfnYaml(text: string): unknown {
  return load(text, { schema: READ_SCHEMA });
}

export function dumpCfnYaml(value: unknown): string {
  return dump(value, { schema: WRITE_SCHEMA, lineWidth: -1, noRefs: true });
}
