import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpTemplateText, parseTemplateText } from '../../deploy/cfn-yaml.js';

const fixtures = join(import.meta.dirname, 'fixtures/cloudformation');

describe('CloudFormation YAML', () => {
  it('reads short-form intrinsics as their long form, GetAtt split at the first dot', () => {
    const template = parseTemplateText(
      [
        'A: !Ref Bucket',
        'B: !GetAtt Stack.Outputs.TableName',
        "C: !Sub ['${X}-${Y}', { Y: !Ref Env }]",
        'D: !If [IsProd, !GetAZs "", !Ref AWS::NoValue]',
        'E: !Join ["", [a, !Select [0, !Split [",", !ImportValue shared]]]]',
        'F: !Base64 { "Fn::Sub": "x" }',
      ].join('\n'),
    );
    expect(template).toEqual({
      A: { Ref: 'Bucket' },
      B: { 'Fn::GetAtt': ['Stack', 'Outputs.TableName'] },
      C: { 'Fn::Sub': ['${X}-${Y}', { Y: { Ref: 'Env' } }] },
      D: { 'Fn::If': ['IsProd', { 'Fn::GetAZs': '' }, { Ref: 'AWS::NoValue' }] },
      E: { 'Fn::Join': ['', ['a', { 'Fn::Select': [0, { 'Fn::Split': [',', { 'Fn::ImportValue': 'shared' }] }] }]] },
      F: { 'Fn::Base64': { 'Fn::Sub': 'x' } },
    });
  });

  it('writes short tags back and quotes strings a YAML 1.1 reader would take for dates, numbers or booleans', () => {
    const text = dumpTemplateText({
      AWSTemplateFormatVersion: '2010-09-09',
      Flags: ['yes', 'off', '0123', '1e3'],
      Value: { 'Fn::GetAtt': ['Api', 'Outputs.ApiUrl'] },
      Sub: { 'Fn::Sub': '${AWS::StackName}-x' },
    });
    expect(text).toContain("AWSTemplateFormatVersion: '2010-09-09'");
    expect(text).toContain("- 'yes'");
    expect(text).toContain("- 'off'");
    expect(text).toContain("- '0123'");
    expect(text).toContain('Value: !GetAtt Api.Outputs.ApiUrl');
    expect(text).toContain('Sub: !Sub ${AWS::StackName}-x');
    expect(parseTemplateText(text)).toMatchObject({
      AWSTemplateFormatVersion: '2010-09-09',
      Flags: ['yes', 'off', '0123', '1e3'],
    });
  });

  it('keeps numbers, booleans and nested intrinsics as they were through a write and a read', () => {
    const template = {
      Resources: {
        Queue: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            VisibilityTimeout: 30,
            FifoQueue: false,
            Tags: [{ Key: 'on', Value: { 'Fn::Join': ['-', [{ Ref: 'Env' }, { 'Fn::GetAtt': ['T', 'Arn'] }]] } }],
            Policy: { 'Fn::If': ['IsProd', { 'Fn::Sub': ['${A}', { A: { Ref: 'X' } }] }, { Ref: 'AWS::NoValue' }] },
          },
        },
      },
    };
    const text = dumpTemplateText(template);
    expect(text).toContain('!Join');
    expect(text).toContain('!GetAtt T.Arn');
    expect(text).toContain("Key: 'on'");
    expect(parseTemplateText(text)).toEqual(template);
  });

  it('refuses an unknown tag and a duplicate key instead of warning', () => {
    expect(() => parseTemplateText('A: !Reff Bucket')).toThrow();
    expect(() => parseTemplateText('A: 1\nA: 2')).toThrow();
  });

  it('round-trips every fixture template unchanged', async () => {
    for (const file of ['main.yaml', 'data.yaml', 'api.yaml', 'auth/auth.yaml']) {
      const parsed = parseTemplateText(await readFile(join(fixtures, file), 'utf8'));
      expect(parseTemplateText(dumpTemplateText(parsed)), file).toEqual(parsed);
    }
  });
});
