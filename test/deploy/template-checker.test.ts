import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTemplateText } from '../../deploy/cfn-yaml.js';
import type { Finding } from '../../deploy/checks/findings.js';
import { loadResourceSpec, type ResourceSpec } from '../../deploy/checks/spec.js';
import { checkTemplateFolder, ROOT_TEMPLATES } from '../../deploy/checks/template-checker.js';
import { PLANTED_CASES } from './planted-cases.js';
import { plantedCopy, VALID_FIXTURES, type Plant } from './plant.js';

const REAL_TEMPLATES = 'deploy/cloudformation';
const VALID = VALID_FIXTURES;

let spec: ResourceSpec;
beforeAll(async () => {
  spec = await loadResourceSpec();
}, 30_000);

const scratch = mkdtempSync(join(tmpdir(), 'cfn-checks-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the template parser', () => {
  it('reads every short-form intrinsic tag as its long form', () => {
    const yaml = [
      'Ref: !Ref Param',
      'GetAtt: !GetAtt Stack.Outputs.Name',
      'GetAttList: !GetAtt [Res, Arn]',
      "Sub: !Sub '${AWS::Region}-${!Literal}'",
      "SubList: !Sub ['${A}', { A: !Ref Param }]",
      "Join: !Join ['-', [a, b]]",
      'If: !If [Cond, yes, !Ref AWS::NoValue]',
      "Select: !Select [0, !GetAZs '']",
      "Split: !Split [',', 'a,b']",
      'FindInMap: !FindInMap [Map, Top, Second]',
      'ImportValue: !ImportValue exported',
      'Equals: !Equals [a, b]',
      'And: !And [!Condition A, !Or [!Condition B, !Not [!Condition C]]]',
      'Base64: !Base64 text',
      'Cidr: !Cidr [10.0.0.0/16, 4, 8]',
      'Transform: !Transform { Name: AWS::Include, Parameters: { Location: s3://b/k } }',
    ].join('\n');
    expect(parseTemplateText(yaml)).toEqual({
      Ref: { Ref: 'Param' },
      GetAtt: { 'Fn::GetAtt': ['Stack', 'Outputs.Name'] },
      GetAttList: { 'Fn::GetAtt': ['Res', 'Arn'] },
      Sub: { 'Fn::Sub': '${AWS::Region}-${!Literal}' },
      SubList: { 'Fn::Sub': ['${A}', { A: { Ref: 'Param' } }] },
      Join: { 'Fn::Join': ['-', ['a', 'b']] },
      If: { 'Fn::If': ['Cond', 'yes', { Ref: 'AWS::NoValue' }] },
      Select: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      Split: { 'Fn::Split': [',', 'a,b'] },
      FindInMap: { 'Fn::FindInMap': ['Map', 'Top', 'Second'] },
      ImportValue: { 'Fn::ImportValue': 'exported' },
      Equals: { 'Fn::Equals': ['a', 'b'] },
      And: {
        'Fn::And': [{ Condition: 'A' }, { 'Fn::Or': [{ Condition: 'B' }, { 'Fn::Not': [{ Condition: 'C' }] }] }],
      },
      Base64: { 'Fn::Base64': 'text' },
      Cidr: { 'Fn::Cidr': ['10.0.0.0/16', 4, 8] },
      Transform: { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://b/k' } } },
    });
  });

  it('refuses an unknown tag and a duplicate key instead of reading them as strings', () => {
    expect(() => parseTemplateText('A: !Reff X')).toThrow(/Unresolved tag/);
    expect(() => parseTemplateText('A: 1\nA: 2')).toThrow(/unique/);
  });
});

describe('the templates in deploy/cloudformation', () => {
  it('pass every check with no finding', async (context) => {
    if (!existsSync(REAL_TEMPLATES)) {
      context.skip('deploy/cloudformation does not exist on this branch yet; the fixture set below stands in for it');
    }
    const result = await checkTemplateFolder(REAL_TEMPLATES, spec);
    // Once the folder exists it must hold the root template: an empty folder would pass every other assertion.
    expect(result.templates.filter((file) => ROOT_TEMPLATES.includes(file))).toHaveLength(1);
    expect(result.findings).toEqual([]);
  });
});

describe('the fixture template set', () => {
  it('is read whole: four templates (root, two nested, pipeline) and three environment files', async () => {
    const result = await checkTemplateFolder(VALID, spec);
    expect(result.templates).toEqual(['data.yaml', 'functions.yaml', 'main.yaml', 'pipeline.yaml']);
    expect(result.environments).toEqual([
      'environments/dev.json',
      'environments/prod.json',
      'environments/staging.json',
    ]);
    expect(result.findings).toEqual([]);
  });
});

/** The findings on a copy of the fixture set with the plants in it. */
async function findingsWith(...plants: Plant[]): Promise<Finding[]> {
  return (await checkTemplateFolder(plantedCopy(scratch, plants), spec)).findings;
}

describe('each check finds its planted error', () => {
  it.each(PLANTED_CASES)('$name', async ({ plants, expected }) => {
    const findings = await findingsWith(...plants);
    const located = findings.map(({ message: _message, ...where }) => where);
    expect(located).toEqual(expect.arrayContaining(expected.map((finding) => expect.objectContaining(finding))));
    expect(located).toHaveLength(expected.length);
    for (const finding of findings) expect(finding.message).not.toBe('');
  });

  it('covers every check the checker has', () => {
    const planted = new Set(PLANTED_CASES.flatMap((entry) => entry.expected.map((finding) => finding.check)));
    const source = ['references', 'parameters', 'resource-properties', 'nested-stacks', 'template-checker']
      .map((file) => readFileSync(`deploy/checks/${file}.ts`, 'utf8'))
      .join('\n');
    const checks = new Set([...source.matchAll(/check: '([a-z-]+)'|emit\('([a-z-]+)'/g)].map((m) => m[1] ?? m[2]));
    expect([...checks].filter((check) => !planted.has(check!))).toEqual([]);
  });
});
