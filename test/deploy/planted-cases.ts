import type { Finding } from '../../deploy/checks/findings.js';
import { addResource, type Plant } from './plant.js';

/**
 * One planted error per case, each with every finding it must produce (and no other): the template checker's
 * tests plant them into a copy of the valid fixture set, and a test holds the list to cover every check.
 */
const resource = (id: string, body: string) => addResource('main.yaml', id, body);

export interface PlantedCase {
  name: string;
  plants: Plant[];
  /** Every finding the plant must produce (and no other): check, file, logical id, path. */
  expected: Omit<Finding, 'message'>[];
}

export const PLANTED_CASES: PlantedCase[] = [
  {
    name: 'a file that does not parse (an unknown tag)',
    plants: [{ file: 'pipeline.yaml', from: '!Ref ArtifactStore', to: '!Reff ArtifactStore' }],
    expected: [{ check: 'parse-error', file: 'pipeline.yaml', path: '' }],
  },
  {
    name: 'an unknown top-level section',
    plants: [{ file: 'pipeline.yaml', from: 'Outputs:', to: 'Output:' }],
    expected: [{ check: 'template-section', file: 'pipeline.yaml', path: 'Output' }],
  },
  {
    name: 'a resource type the specification does not have',
    plants: [{ file: 'main.yaml', from: 'Type: AWS::SNS::Topic', to: 'Type: AWS::SNS::Topik' }],
    expected: [
      { check: 'unknown-type', file: 'main.yaml', logicalId: 'AlertTopic', path: 'Resources.AlertTopic.Type' },
    ],
  },
  {
    name: 'a resource type of a discontinued service',
    plants: [resource('Domain', 'Type: AWS::SDB::Domain')],
    expected: [{ check: 'deprecated-type', file: 'main.yaml', logicalId: 'Domain', path: 'Resources.Domain.Type' }],
  },
  {
    name: 'a SAM type without the SAM transform',
    plants: [resource('Simple', 'Type: AWS::Serverless::SimpleTable')],
    expected: [{ check: 'transform-required', file: 'main.yaml', logicalId: 'Simple', path: 'Resources.Simple.Type' }],
  },
  {
    name: 'an unknown resource attribute (a misspelt Properties)',
    plants: [{ file: 'main.yaml', from: 'Properties:\n      TopicName', to: 'Propertes:\n      TopicName' }],
    expected: [
      { check: 'resource-shape', file: 'main.yaml', logicalId: 'AlertTopic', path: 'Resources.AlertTopic.Propertes' },
    ],
  },
  {
    name: 'an unknown property at the top level',
    plants: [{ file: 'functions.yaml', from: 'Architectures:', to: 'Architecture:' }],
    expected: [
      {
        check: 'unknown-property',
        file: 'functions.yaml',
        logicalId: 'ApiFunction',
        path: 'Resources.ApiFunction.Properties.Architecture',
      },
    ],
  },
  {
    name: 'an unknown property inside a typed structure',
    plants: [{ file: 'data.yaml', from: 'PointInTimeRecoveryEnabled:', to: 'PointInTimeRecoveryEnable:' }],
    expected: [
      {
        check: 'unknown-property',
        file: 'data.yaml',
        logicalId: 'Table',
        path: 'Resources.Table.Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnable',
      },
    ],
  },
  {
    name: 'a required property missing inside a list of structures',
    plants: [{ file: 'data.yaml', from: '{ AttributeName: sk, AttributeType: S }', to: '{ AttributeName: sk }' }],
    expected: [
      {
        check: 'missing-required',
        file: 'data.yaml',
        logicalId: 'Table',
        path: 'Resources.Table.Properties.AttributeDefinitions.1',
      },
    ],
  },
  {
    name: 'a required top-level property missing',
    plants: [
      { file: 'functions.yaml', from: '      Role: !GetAtt FunctionRole.Arn\n      Code:\n', to: '      Code:\n' },
    ],
    expected: [
      {
        check: 'missing-required',
        file: 'functions.yaml',
        logicalId: 'ApiFunction',
        path: 'Resources.ApiFunction.Properties',
      },
    ],
  },
  {
    name: 'a single value where the specification wants a list',
    plants: [{ file: 'functions.yaml', from: 'Architectures: [arm64]', to: 'Architectures: arm64' }],
    expected: [
      {
        check: 'property-type',
        file: 'functions.yaml',
        logicalId: 'ApiFunction',
        path: 'Resources.ApiFunction.Properties.Architectures',
      },
    ],
  },
  {
    name: 'a deprecated property',
    plants: [
      resource(
        'BusPolicy',
        'Type: AWS::Events::EventBusPolicy\nProperties:\n  StatementId: same-account\n  Action: events:PutEvents',
      ),
    ],
    expected: [
      {
        check: 'deprecated-property',
        file: 'main.yaml',
        logicalId: 'BusPolicy',
        path: 'Resources.BusPolicy.Properties.Action',
      },
    ],
  },
  {
    name: 'a Ref to nothing',
    plants: [{ file: 'main.yaml', from: 'AlertTopicArn: !Ref AlertTopic', to: 'AlertTopicArn: !Ref AlertTopik' }],
    expected: [
      {
        check: 'unresolved-ref',
        file: 'main.yaml',
        logicalId: 'DataStack',
        path: 'Resources.DataStack.Properties.Parameters.AlertTopicArn.Ref',
      },
    ],
  },
  {
    name: 'a GetAtt attribute the type does not have',
    plants: [{ file: 'functions.yaml', from: '!GetAtt ApiFunction.Arn', to: '!GetAtt ApiFunction.Arm' }],
    expected: [
      {
        check: 'bad-getatt',
        file: 'functions.yaml',
        logicalId: 'ApiFunctionArn',
        path: 'Outputs.ApiFunctionArn.Value.Fn::GetAtt',
      },
    ],
  },
  {
    name: 'a GetAtt of a nested stack output the child template lacks',
    plants: [{ file: 'main.yaml', from: '[DataStack, Outputs.TableArn]', to: '[DataStack, Outputs.TableArm]' }],
    expected: [
      {
        check: 'bad-getatt',
        file: 'main.yaml',
        logicalId: 'FunctionsStack',
        path: 'Resources.FunctionsStack.Properties.Parameters.TableArn.Fn::GetAtt',
      },
    ],
  },
  {
    name: 'a Sub variable that names nothing (template string form)',
    plants: [{ file: 'data.yaml', from: "'voice-assistant-${Environment}'", to: "'voice-assistant-${Enviroment}'" }],
    expected: [
      {
        check: 'unresolved-sub',
        file: 'data.yaml',
        logicalId: 'Table',
        path: 'Resources.Table.Properties.TableName.Fn::Sub',
      },
    ],
  },
  {
    name: 'a Sub variable that names nothing (map form)',
    plants: [{ file: 'main.yaml', from: "'${Topic} in ${AWS::Region}'", to: "'${Topics} in ${AWS::Region}'" }],
    expected: [
      { check: 'unresolved-sub', file: 'main.yaml', logicalId: 'DebugTopic', path: 'Outputs.DebugTopic.Value.Fn::Sub' },
    ],
  },
  {
    name: 'a Sub ${Resource.Attribute} the type does not have',
    plants: [{ file: 'main.yaml', from: "'${AWS::StackName}-alerts'", to: "'${AlertTopic.Arn}-alerts'" }],
    expected: [
      {
        check: 'bad-getatt',
        file: 'main.yaml',
        logicalId: 'AlertTopic',
        path: 'Resources.AlertTopic.Properties.TopicName.Fn::Sub',
      },
    ],
  },
  {
    name: 'a DependsOn that names no resource',
    plants: [{ file: 'main.yaml', from: 'DependsOn: DataStack', to: 'DependsOn: [DataStack, Database]' }],
    expected: [
      {
        check: 'unresolved-dependson',
        file: 'main.yaml',
        logicalId: 'FunctionsStack',
        path: 'Resources.FunctionsStack.DependsOn.1',
      },
    ],
  },
  {
    name: 'an undeclared condition in Fn::If, a Condition intrinsic and an output Condition',
    plants: [
      { file: 'main.yaml', from: '!If [IsProd,', to: '!If [IsProduction,' },
      { file: 'main.yaml', from: '!Condition IsProd', to: '!Condition IsProduction' },
      { file: 'main.yaml', from: 'Condition: NotProd', to: 'Condition: IsDev' },
    ],
    expected: [
      {
        check: 'unknown-condition',
        file: 'main.yaml',
        logicalId: 'NotProd',
        path: 'Conditions.NotProd.Fn::Not.0.Condition',
      },
      {
        check: 'unknown-condition',
        file: 'main.yaml',
        logicalId: 'FunctionsStack',
        path: 'Resources.FunctionsStack.Properties.Parameters.LogRetentionDays.Fn::If.0',
      },
      { check: 'unknown-condition', file: 'main.yaml', logicalId: 'DebugTopic', path: 'Outputs.DebugTopic.Condition' },
    ],
  },
  {
    name: 'a FindInMap second-level key the mapping lacks',
    plants: [{ file: 'main.yaml', from: '!Ref Environment, MemorySize]', to: '!Ref Environment, Memory]' }],
    expected: [
      {
        check: 'bad-findinmap',
        file: 'main.yaml',
        logicalId: 'FunctionsStack',
        path: 'Resources.FunctionsStack.Properties.Parameters.MemorySize.Fn::FindInMap',
      },
    ],
  },
  {
    name: 'a parameter with an invalid type',
    plants: [{ file: 'pipeline.yaml', from: 'Type: Number', to: 'Type: Integer' }],
    expected: [
      {
        check: 'parameter-type',
        file: 'pipeline.yaml',
        logicalId: 'RetentionDays',
        path: 'Parameters.RetentionDays.Type',
      },
    ],
  },
  {
    name: 'a parameter nothing uses',
    plants: [{ file: 'pipeline.yaml', from: 'Parameters:\n', to: 'Parameters:\n  Unused:\n    Type: String\n' }],
    expected: [{ check: 'unused-parameter', file: 'pipeline.yaml', logicalId: 'Unused', path: 'Parameters.Unused' }],
  },
  {
    name: 'a logical id that is both a parameter and a resource',
    plants: [resource('LogRetentionDays', 'Type: AWS::SNS::Topic')],
    expected: [
      {
        check: 'duplicate-logical-id',
        file: 'main.yaml',
        logicalId: 'LogRetentionDays',
        path: 'Resources.LogRetentionDays',
      },
    ],
  },
  {
    name: 'an output without a value',
    plants: [
      { file: 'pipeline.yaml', from: 'ArtifactStoreName:\n    Value:', to: 'ArtifactStoreName:\n    Description:' },
    ],
    expected: [
      {
        check: 'output-value',
        file: 'pipeline.yaml',
        logicalId: 'ArtifactStoreName',
        path: 'Outputs.ArtifactStoreName',
      },
    ],
  },
  {
    name: 'a nested stack whose template file does not exist',
    plants: [{ file: 'main.yaml', from: 'TemplateURL: ./data.yaml', to: 'TemplateURL: ./datum.yaml' }],
    expected: [
      {
        check: 'nested-template',
        file: 'main.yaml',
        logicalId: 'DataStack',
        path: 'Resources.DataStack.Properties.TemplateURL',
      },
    ],
  },
  {
    name: 'a nested stack passing a parameter the child does not declare, and missing one it needs',
    plants: [{ file: 'main.yaml', from: 'AlertTopicArn: !Ref AlertTopic\n', to: 'AlertTopic: !Ref AlertTopic\n' }],
    expected: [
      {
        check: 'nested-parameters',
        file: 'main.yaml',
        logicalId: 'DataStack',
        path: 'Resources.DataStack.Properties.Parameters.AlertTopic',
      },
      {
        check: 'nested-parameters',
        file: 'main.yaml',
        logicalId: 'DataStack',
        path: 'Resources.DataStack.Properties.Parameters',
      },
    ],
  },
  {
    name: 'an environment file naming a parameter the root template does not declare',
    plants: [{ file: 'environments/prod.json', from: '"LogRetentionDays"', to: '"LogRetention"' }],
    expected: [
      {
        check: 'environment-parameter',
        file: 'environments/prod.json',
        logicalId: 'LogRetention',
        path: 'Parameters.LogRetention',
      },
    ],
  },
  {
    name: 'an environment file with a key other than Parameters and Tags',
    plants: [{ file: 'environments/dev.json', from: '"Tags"', to: '"Tag"' }],
    expected: [{ check: 'environment-file', file: 'environments/dev.json', path: 'Tag' }],
  },
];
