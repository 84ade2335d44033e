import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTemplateText } from '../../deploy/cfn-yaml.js';
import { describe, expect, it } from 'vitest';
import { dynamoDbTableDefinition, TABLE } from '../../adapters/aws/dynamodb/dynamodb-table.js';
import { envKeyOf } from '../../adapters/aws/aws-parameters-config-source.js';
import { EnvSchema } from '../../entrypoints/composition/env-schema.js';
import { TASK_NAMES } from '../../entrypoints/lambda/workflow/turn-tasks.js';

/*
 * Invariants of deploy/cloudformation that a resource-specification checker cannot see: the templates against the
 * code they deploy (table design, workflow definition, handler exports, configuration variables) and against each
 * other (nested stacks, environment files). Each check names what differs.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const CFN_DIR = join(root, 'deploy/cloudformation');
const ASL_PATH = join(root, 'deploy/workflow/turn-workflow.asl.json');
const WORKFLOW_HANDLER = join(root, 'entrypoints/lambda/workflow/handler.ts');

type Node = Record<string, unknown>;
interface Resource {
  Type: string;
  Condition?: string;
  Properties?: Node;
}
interface Parameter {
  Type: string;
  Default?: unknown;
  AllowedValues?: unknown[];
}
interface Template {
  Parameters?: Record<string, Parameter>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown }>;
}

const templateFiles = readdirSync(CFN_DIR).filter((file) => file.endsWith('.yaml'));
const templates = new Map<string, Template>(
  templateFiles.map((file) => [file, parseTemplateText(readFileSync(join(CFN_DIR, file), 'utf8')) as Template]),
);

function template(file: string): Template {
  const found = templates.get(file);
  if (!found) throw new Error(`deploy/cloudformation/${file} is missing`);
  return found;
}

function resourcesOfType(file: string, type: string): [string, Resource][] {
  return Object.entries(template(file).Resources).filter(([, resource]) => resource.Type === type);
}

function only(file: string, type: string, name?: string): Resource {
  const found = resourcesOfType(file, type).filter(([logical]) => name === undefined || logical === name);
  expect(
    found.map(([logical]) => logical),
    `${file}: exactly one ${type} ${name ?? ''}`,
  ).toHaveLength(1);
  return found[0]![1];
}

const props = (resource: Resource): Node => resource.Properties ?? {};
/** The logical name a `!Ref X` names, or undefined when the value is something else. */
const refOf = (value: unknown): string | undefined =>
  value && typeof value === 'object' && 'Ref' in value ? String(value.Ref) : undefined;
/** `!GetAtt A.B.C` as [A, 'B.C']. */
function getAttOf(value: unknown): [string, string] | undefined {
  if (!value || typeof value !== 'object' || !('Fn::GetAtt' in value)) return undefined;
  const raw = value['Fn::GetAtt'];
  const [resource, ...rest] = Array.isArray(raw) ? (raw as string[]) : String(raw).split('.');
  return [String(resource), rest.join('.')];
}

const byName = <T extends { AttributeName?: string | undefined }>(items: readonly T[] | undefined) =>
  [...(items ?? [])].sort((a, b) => String(a.AttributeName).localeCompare(String(b.AttributeName)));

describe('CloudFormation templates', () => {
  it('every template parses with the CloudFormation tags and has resources', () => {
    expect(templateFiles).toEqual(expect.arrayContaining(['main.yaml', 'pipeline.yaml']));
    for (const [file, parsed] of templates) {
      expect(Object.keys(parsed.Resources ?? {}).length, file).toBeGreaterThan(0);
    }
  });

  it("the assistant's table is the one dynamoDbTableDefinition() describes, with a NEW_IMAGE stream", () => {
    const expected = dynamoDbTableDefinition('unused');
    const table = props(only('data.yaml', 'AWS::DynamoDB::Table', 'Table'));
    expect(table.BillingMode).toBe(expected.BillingMode);
    expect(byName(table.AttributeDefinitions as typeof expected.AttributeDefinitions)).toEqual(
      byName(expected.AttributeDefinitions),
    );
    expect(table.KeySchema).toEqual(expected.KeySchema);
    const indexes = table.GlobalSecondaryIndexes as NonNullable<typeof expected.GlobalSecondaryIndexes>;
    expect(indexes.map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection }))).toEqual(
      expected.GlobalSecondaryIndexes,
    );
    expect(table.TimeToLiveSpecification).toEqual(expected.TimeToLiveSpecification);
    expect(table.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
  });

  it('the idempotency table has the key and expiry attributes the event consumer configures Powertools with', () => {
    const table = props(only('data.yaml', 'AWS::DynamoDB::Table', 'IdempotencyTable'));
    expect(table.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: TABLE.ttlAttribute, Enabled: true });
  });

  it('every ${X} placeholder of the workflow definition has a substitution, and every substitution a placeholder', () => {
    const placeholders = new Set([...readFileSync(ASL_PATH, 'utf8').matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!));
    const machine = props(only('workflow.yaml', 'AWS::StepFunctions::StateMachine'));
    const substitutions = Object.keys(machine.DefinitionSubstitutions as Node);
    expect(
      [...placeholders].filter((name) => !substitutions.includes(name)),
      'placeholders without a value',
    ).toEqual([]);
    expect(
      substitutions.filter((name) => !placeholders.has(name)),
      'substitutions no placeholder uses',
    ).toEqual([]);
  });

  it('each substitution is the live alias of the function running that task (workflow -> main -> functions)', () => {
    const machine = props(only('workflow.yaml', 'AWS::StepFunctions::StateMachine'));
    const workflowStack = props(only('main.yaml', 'AWS::CloudFormation::Stack', 'WorkflowStack'));
    const functions = template('functions.yaml');
    for (const [placeholder, value] of Object.entries(machine.DefinitionSubstitutions as Node)) {
      const task = placeholder.replace(/FunctionArn$/, '');
      const parameter = refOf(value);
      expect(parameter, `${placeholder} is a parameter of workflow.yaml`).toBeDefined();
      const passed = getAttOf((workflowStack.Parameters as Node)[parameter!]);
      expect(passed?.[0], `main.yaml passes ${parameter} from the functions stack`).toBe('FunctionsStack');
      const output = passed![1].replace(/^Outputs\./, '');
      const alias = refOf(functions.Outputs?.[output]?.Value);
      expect(functions.Resources[alias!]?.Type, `functions.yaml output ${output} is an alias`).toBe(
        'AWS::Lambda::Alias',
      );
      const fn = refOf(props(functions.Resources[alias!]!).FunctionName);
      const handler = props(functions.Resources[fn!]!).Handler;
      expect(handler, `${placeholder} runs the ${task} export`).toBe(`index.${task[0]!.toLowerCase()}${task.slice(1)}`);
    }
  });

  it('every workflow handler export has a function running the workflow bundle, and every such function an export', () => {
    const source = readFileSync(WORKFLOW_HANDLER, 'utf8');
    const exported = [...source.matchAll(/^export const (\w+)\s*=/gm)].map((m) => m[1]!).sort();
    expect(exported).toEqual([...TASK_NAMES].sort());
    const handlers = resourcesOfType('functions.yaml', 'AWS::Lambda::Function')
      .filter(([, fn]) => refOf((props(fn).Code as Node).S3Key) === 'WorkflowCodeKey')
      .map(([, fn]) => String(props(fn).Handler).replace(/^index\./, ''))
      .sort();
    expect(handlers).toEqual(exported);
  });

  it("each function's version carries the hash of the bundle the function runs", () => {
    const functions = template('functions.yaml');
    for (const [logical, version] of resourcesOfType('functions.yaml', 'AWS::Lambda::Version')) {
      const fn = functions.Resources[refOf(props(version).FunctionName)!]!;
      const key = refOf((props(fn).Code as Node).S3Key)!;
      expect(refOf(props(version).CodeSha256), logical).toBe(key.replace(/CodeKey$/, 'CodeSha256'));
    }
  });

  it('every environment variable of a function is one the assistant or its Lambda config reads', () => {
    const lambdaOnly = ['IDEMPOTENCY_TABLE', 'IDEMPOTENCY_TTL_SECONDS', 'ALERT_TOPIC_ARN', 'DEADLINE_MARGIN_MS'];
    const runtime = ['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE'];
    const known = new Set([...Object.keys(EnvSchema.properties), ...lambdaOnly, ...runtime]);
    for (const [logical, fn] of resourcesOfType('functions.yaml', 'AWS::Lambda::Function')) {
      const variables = Object.keys(((props(fn).Environment as Node).Variables as Node) ?? {});
      expect(
        variables.filter((name) => !known.has(name)),
        `${logical}: variables nothing reads`,
      ).toEqual([]);
    }
  });

  it("the errors-across-services query reads every function's log group", () => {
    const functions = template('functions.yaml');
    const observabilityStack = props(only('main.yaml', 'AWS::CloudFormation::Stack', 'ObservabilityStack'));
    const subOf = (value: unknown) => (value as { 'Fn::Sub': string })['Fn::Sub'];
    // `${ApiFunctionName}` in the query is main.yaml's FunctionsStack output, i.e. that function's FunctionName.
    const resolve = (text: string) =>
      text.replace(/\$\{(\w+)\}/g, (whole, parameter: string) => {
        const passed = getAttOf((observabilityStack.Parameters as Node)[parameter]);
        if (passed?.[0] !== 'FunctionsStack') return whole;
        const fn = refOf(functions.Outputs?.[passed[1].replace(/^Outputs\./, '')]?.Value);
        return subOf(props(functions.Resources[fn!]!).FunctionName);
      });
    const query = props(only('observability.yaml', 'AWS::Logs::QueryDefinition', 'ErrorsAcrossServicesQuery'));
    const queried = (query.LogGroupNames as unknown[])
      .filter((name) => typeof name === 'object' && name !== null && 'Fn::Sub' in name)
      .map((name) => resolve(subOf(name)))
      .sort();
    const logGroups = resourcesOfType('functions.yaml', 'AWS::Logs::LogGroup')
      .map(([, group]) => subOf(props(group).LogGroupName))
      .sort();
    expect(queried).toEqual(logGroups);
  });

  it('every stored setting under the config path names a variable of the schema (the loader refuses strays)', () => {
    const parameters = resourcesOfType('config.yaml', 'AWS::SSM::Parameter');
    expect(parameters.length).toBeGreaterThan(0);
    for (const [logical, parameter] of parameters) {
      const sub = (props(parameter).Name as { 'Fn::Sub': string })['Fn::Sub'];
      const relative = sub.replace(/^\$\{ConfigParametersPath\}\//, '');
      expect(relative, `${logical} lies under \${ConfigParametersPath}/`).not.toBe(sub);
      expect(Object.keys(EnvSchema.properties), logical).toContain(envKeyOf(relative));
    }
  });

  it('the outbox pipe forwards only inserted event items and takes detail type, source and detail from them', () => {
    const pipe = props(only('events.yaml', 'AWS::Pipes::Pipe'));
    const source = pipe.SourceParameters as { FilterCriteria: { Filters: { Pattern: string }[] } };
    expect(source.FilterCriteria.Filters.map((filter) => JSON.parse(filter.Pattern) as unknown)).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['event'] } } } },
    ]);
    const target = pipe.TargetParameters as Node;
    expect(target.EventBridgeEventBusParameters).toEqual({
      DetailType: '$.dynamodb.NewImage.detailType.S',
      Source: '$.dynamodb.NewImage.source.S',
    });
    expect(target.InputTemplate).toBe('<$.dynamodb.NewImage.detail.S>');
  });

  it("the bus rule matches the publisher's detail types: every domain event to the queue, none to the alert topic", () => {
    const rules = Object.fromEntries(
      resourcesOfType('events.yaml', 'AWS::Events::Rule').map(([logical, rule]) => [
        logical,
        (props(rule).EventPattern as { 'detail-type': string[] })['detail-type'],
      ]),
    );
    const published = readFileSync(join(root, 'entrypoints/lambda/events/domain-event-message.ts'), 'utf8');
    const types = [...published.matchAll(/type: Type\.Literal\('(\w+)'\)/g)].map((m) => m[1]!);
    expect(types.length).toBeGreaterThan(0);
    expect([...rules.DomainEventsRule!].sort()).toEqual([...types].sort());
    expect(Object.keys(rules)).toEqual(['DomainEventsRule']);
  });

  it('a SystemError alerts once: the event consumer publishes to the alert topic, no bus rule targets it', () => {
    const targets = resourcesOfType('events.yaml', 'AWS::Events::Rule').flatMap(
      ([, rule]) => props(rule).Targets as { Arn: unknown }[],
    );
    expect(targets.map((target) => target.Arn)).toEqual([{ 'Fn::GetAtt': ['EventsQueue', 'Arn'] }]);
    const policy = props(resourcesOfType('events.yaml', 'AWS::SNS::TopicPolicy')[0]![1]).PolicyDocument as {
      Statement: { Effect: string; Principal: { Service?: string | string[] } }[];
    };
    const services = policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Principal.Service ?? []);
    expect(services).not.toContain('events.amazonaws.com');
    const consumer = JSON.stringify(resourcesOfType('functions.yaml', 'AWS::IAM::Role'));
    expect(consumer).toContain('"Sid":"RaiseAlerts","Effect":"Allow","Action":"sns:Publish"');
  });

  it("every nested stack's TemplateURL is a file here, and it passes exactly the child's parameters", () => {
    for (const [logical, stack] of resourcesOfType('main.yaml', 'AWS::CloudFormation::Stack')) {
      const url = String(props(stack).TemplateURL);
      expect(url, logical).toMatch(/^\.\/[\w-]+\.yaml$/);
      expect(existsSync(join(CFN_DIR, url)), `${logical}: ${url} exists`).toBe(true);
      const child = template(basename(url)).Parameters ?? {};
      const passed = Object.keys((props(stack).Parameters as Node | undefined) ?? {});
      expect(
        passed.filter((name) => !(name in child)),
        `${logical}: parameters ${url} does not declare`,
      ).toEqual([]);
      const required = Object.entries(child).filter(([, parameter]) => parameter.Default === undefined);
      expect(
        required.map(([name]) => name).filter((name) => !passed.includes(name)),
        `${logical}: required parameters of ${url} not passed`,
      ).toEqual([]);
    }
  });

  it('the pipeline deploys the build to dev, staging, then after an approval prod, each with its configuration', () => {
    const pipeline = props(only('pipeline.yaml', 'AWS::CodePipeline::Pipeline'));
    type Action = { ActionTypeId: { Category: string }; Configuration: Node; InputArtifacts?: { Name: string }[] };
    const stages = pipeline.Stages as { Name: string; Actions: Action[] }[];
    const deploys = stages.flatMap((stage) =>
      stage.Actions.filter((action) => action.ActionTypeId.Category !== 'Source').map((action) => ({
        stage: stage.Name,
        category: action.ActionTypeId.Category,
        mode: action.Configuration.ActionMode,
        template: action.Configuration.TemplatePath,
        configuration: action.Configuration.TemplateConfiguration,
      })),
    );
    const replace = (env: string) => ({
      stage: `Deploy${env[0]!.toUpperCase()}${env.slice(1)}`,
      category: 'Deploy',
      mode: 'CHANGE_SET_REPLACE',
      template: 'BuildOutput::packaged/main.packaged.yaml',
      configuration: `BuildOutput::packaged/${env}.config.json`,
    });
    const execute = (env: string) => ({
      ...replace(env),
      mode: 'CHANGE_SET_EXECUTE',
      template: undefined,
      configuration: undefined,
    });
    const publish = (env: string) => ({ ...execute(env), category: 'Build', mode: undefined });
    expect(deploys).toEqual([
      { stage: 'BuildAndTest', category: 'Build', mode: undefined, template: undefined, configuration: undefined },
      replace('dev'),
      execute('dev'),
      publish('dev'),
      replace('staging'),
      execute('staging'),
      publish('staging'),
      { stage: 'Approve', category: 'Approval', mode: undefined, template: undefined, configuration: undefined },
      replace('prod'),
      execute('prod'),
      publish('prod'),
    ]);

    // Each environment's web client is published after its stack, from the build's web/ with that stack's outputs;
    // the change set hands the publish role to the web bucket's policy.
    for (const env of ['dev', 'staging', 'prod']) {
      const actions = stages.find((stage) => stage.Name.toLowerCase() === `deploy${env}`)?.Actions ?? [];
      const web = actions.find((action) => action.ActionTypeId.Category === 'Build');
      expect(web?.Configuration.ProjectName).toEqual({ Ref: 'WebPublishProject' });
      expect(web?.InputArtifacts?.map((artifact) => artifact.Name)).toEqual(['SourceOutput', 'BuildOutput']);
      expect(String((web?.Configuration.EnvironmentVariables as { 'Fn::Sub'?: unknown })['Fn::Sub'])).toContain(
        `{"name":"DEPLOY_ENV","value":"${env}","type":"PLAINTEXT"}`,
      );
      const replaceAction = actions.find((action) => action.Configuration.ActionMode === 'CHANGE_SET_REPLACE');
      expect(JSON.stringify(replaceAction?.Configuration.ParameterOverrides)).toContain('WebPublishRole.Arn');
    }
  });

  it('the web publish role reads outputs and invalidates, and gets S3 only through the web bucket policy', () => {
    const role = props(template('pipeline.yaml').Resources.WebPublishRole!);
    const statements = JSON.stringify(role.Policies);
    expect(statements).toContain('cloudformation:DescribeStacks');
    expect(statements).toContain('cloudfront:CreateInvalidation');
    expect(statements).not.toMatch(/s3:(PutObject|DeleteObject|\*)/);
    const policy = JSON.stringify(props(template('data.yaml').Resources.WebBucketPolicy!));
    expect(policy).toContain('WebPublisherWritesObjects');
    expect(policy).toContain('s3:DeleteObject');
    const buildspec = readFileSync(join(CFN_DIR, '../buildspec-web.yml'), 'utf8');
    expect(buildspec).toContain('--web-only');
    expect(readFileSync(join(CFN_DIR, '../../buildspec.yml'), 'utf8')).toContain("'web/**/*'");
  });

  it("the web client's CSP lets it call the regional API host and play music streams from https: sources", () => {
    const headers = props(template('data.yaml').Resources.SecurityHeadersPolicy!) as {
      ResponseHeadersPolicyConfig: { SecurityHeadersConfig: { ContentSecurityPolicy: Record<string, unknown> } };
    };
    const csp = headers.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy;
    const sub = (csp['ContentSecurityPolicy'] as { 'Fn::Sub'?: string })['Fn::Sub'] ?? '';
    const policy = sub.replace('${AWS::Region}', 'eu-west-1');
    const directive = (name: string) =>
      policy
        .split(';')
        .map((part) => part.trim().split(/\s+/))
        .find(([key]) => key === name)
        ?.slice(1) ?? [];
    // The ApiUrl output's host (api.yaml): a wildcard source matches labels before its suffix, never after.
    const apiHost = 'abc123.execute-api.eu-west-1.amazonaws.com';
    const allows = (sources: string[], host: string) =>
      sources.some((s) => s.startsWith('https://*.') && host.endsWith(s.slice('https://*'.length)));
    expect(allows(directive('connect-src'), apiHost)).toBe(true);
    expect(allows(directive('connect-src'), 'va-dev.auth.eu-west-1.amazoncognito.com')).toBe(true);
    expect(directive('media-src')).toEqual(expect.arrayContaining(["'self'", 'blob:', 'https:']));
    expect(directive('connect-src')).not.toContain('https:');
  });

  it('every environment file names only parameters main.yaml declares, as allowed strings, and no artifact', () => {
    const declared = template('main.yaml').Parameters ?? {};
    const supplied = ['ArtifactBucket', 'ApiCodeKey', 'EventsCodeKey', 'WorkflowCodeKey', 'WorkflowDefinitionKey'];
    const environments = readdirSync(join(CFN_DIR, 'environments')).filter((file) => file.endsWith('.json'));
    expect(environments.sort()).toEqual(['dev.json', 'prod.json', 'staging.json']);
    for (const file of environments) {
      const config = JSON.parse(readFileSync(join(CFN_DIR, 'environments', file), 'utf8')) as {
        Parameters: Record<string, unknown>;
        Tags: Record<string, unknown>;
      };
      expect(Object.keys(config).sort(), file).toEqual(['Parameters', 'Tags']);
      const names = Object.keys(config.Parameters);
      expect(
        names.filter((name) => !(name in declared)),
        `${file}: parameters main.yaml does not declare`,
      ).toEqual([]);
      expect(
        names.filter((name) => supplied.includes(name) || name.endsWith('Sha256')),
        `${file}: names the deploy tool supplies`,
      ).toEqual([]);
      expect(config.Parameters.EnvironmentName, file).toBe(file.replace(/\.json$/, ''));
      expect(config.Tags.Environment, `${file}: the budget filters on this tag`).toBe(file.replace(/\.json$/, ''));
      for (const [name, value] of Object.entries(config.Parameters)) {
        expect(typeof value, `${file}: ${name} is a string`).toBe('string');
        const allowed = declared[name]?.AllowedValues;
        if (allowed) expect(allowed.map(String), `${file}: ${name}`).toContain(value);
      }
    }
  });
});
