/** A parsed template or environment file of the checked folder. */
export interface TemplateFile {
  /** Path relative to the checked folder, as findings name it. */
  file: string;
  /** Absolute path. */
  path: string;
  body: Record<string, unknown>;
}

export type PlainObject = Record<string, unknown>;

export const isObject = (value: unknown): value is PlainObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A section of a template (`Resources`, `Parameters`, ...) as a map, empty when absent or malformed. */
export function section(body: PlainObject, name: string): PlainObject {
  const value = body[name];
  return isObject(value) ? value : {};
}

/** `{ Ref: x }` or `{ "Fn::Xxx": ... }`: a value CloudFormation computes, which no spec check can read. */
export function intrinsicName(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  return key === 'Ref' || key.startsWith('Fn::') ? key : undefined;
}

export const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** The resource types whose `GetAtt` may name any attribute: custom resources answer what their function returns. */
export const isCustomResourceType = (type: string) =>
  type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
