import { pathOf, type Report } from './findings.js';
import { isObject, section, type TemplateFile } from './template-model.js';

/** The AWS-specific parameter types CloudFormation validates against the account. */
const AWS_TYPES = [
  'AWS::EC2::AvailabilityZone::Name',
  'AWS::EC2::Image::Id',
  'AWS::EC2::Instance::Id',
  'AWS::EC2::KeyPair::KeyName',
  'AWS::EC2::SecurityGroup::GroupName',
  'AWS::EC2::SecurityGroup::Id',
  'AWS::EC2::Subnet::Id',
  'AWS::EC2::Volume::Id',
  'AWS::EC2::VPC::Id',
  'AWS::Route53::HostedZone::Id',
];
const PLAIN_TYPES = ['String', 'Number', 'List<Number>', 'CommaDelimitedList', ...AWS_TYPES];
const SSM_VALUE_TYPES = ['String', 'List<String>', 'CommaDelimitedList', ...AWS_TYPES];

/** The parameter types CloudFormation accepts (plain, AWS-specific, their lists, and SSM parameter types). */
export const PARAMETER_TYPES: ReadonlySet<string> = new Set([
  ...PLAIN_TYPES,
  ...AWS_TYPES.map((type) => `List<${type}>`),
  'AWS::SSM::Parameter::Name',
  ...SSM_VALUE_TYPES.flatMap((type) => [
    `AWS::SSM::Parameter::Value<${type}>`,
    ...(AWS_TYPES.includes(type) ? [`AWS::SSM::Parameter::Value<List<${type}>>`] : []),
  ]),
]);

const TOP_LEVEL_KEYS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
]);

/** The template's sections are CloudFormation's; logical ids are unique across Parameters, Resources, Conditions. */
export function checkTemplateShape(template: TemplateFile, report: Report) {
  for (const key of Object.keys(template.body)) {
    if (!TOP_LEVEL_KEYS.has(key)) report({ check: 'template-section', path: key, message: `unknown section ${key}` });
  }
  if (!isObject(template.body.Resources) || Object.keys(template.body.Resources).length === 0) {
    report({ check: 'template-section', path: 'Resources', message: 'a template needs at least one resource' });
  }
  const parameters = section(template.body, 'Parameters');
  for (const id of Object.keys(section(template.body, 'Resources'))) {
    if (id in parameters) {
      report({
        check: 'duplicate-logical-id',
        logicalId: id,
        path: pathOf('Resources', id),
        message: `${id} is both a parameter and a resource`,
      });
    }
  }
}

/** Each parameter has a valid Type and is used by the template (`Ref` or a `Sub` variable). */
export function checkParameters(template: TemplateFile, used: ReadonlySet<string>, report: Report) {
  for (const [name, parameter] of Object.entries(section(template.body, 'Parameters'))) {
    const type = isObject(parameter) ? parameter.Type : undefined;
    if (typeof type !== 'string' || !PARAMETER_TYPES.has(type)) {
      report({
        check: 'parameter-type',
        logicalId: name,
        path: pathOf('Parameters', name, 'Type'),
        message: `parameter type ${JSON.stringify(type)} is not a CloudFormation parameter type`,
      });
    }
    if (!used.has(name)) {
      report({
        check: 'unused-parameter',
        logicalId: name,
        path: pathOf('Parameters', name),
        message: 'parameter is declared but never used (no Ref or Sub names it)',
      });
    }
  }
}
