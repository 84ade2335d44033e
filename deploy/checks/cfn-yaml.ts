import { readFile } from 'node:fs/promises';
import { parseDocument, type CollectionTag, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';

/** The short-form intrinsic tags of CloudFormation YAML, each read as its long form (`!Sub x` -> `{ "Fn::Sub": x }`). */
const INTRINSICS = [
  'Ref',
  'Condition',
  'GetAtt',
  'Sub',
  'Join',
  'If',
  'Select',
  'Split',
  'FindInMap',
  'ImportValue',
  'Equals',
  'And',
  'Or',
  'Not',
  'GetAZs',
  'Base64',
  'Cidr',
  'Transform',
  'Length',
  'ToJsonString',
] as const;

const longName = (name: string) => (name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`);

/** `!GetAtt Res.Attr` names the resource before the first dot; the attribute may hold dots (`Stack.Outputs.X`). */
function scalarValue(name: string, text: string): unknown {
  if (name !== 'GetAtt') return text;
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

const CFN_TAGS: (ScalarTag | CollectionTag)[] = INTRINSICS.flatMap((name) => {
  const tag = `!${name}`;
  const key = longName(name);
  const scalar: ScalarTag = { tag, resolve: (text: string) => ({ [key]: scalarValue(name, text) }) };
  const collection = (kind: 'seq' | 'map'): CollectionTag => ({
    tag,
    collection: kind,
    resolve: (node: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [key]: node.toJSON() as unknown }),
  });
  return [scalar, collection('seq'), collection('map')];
});

/**
 * Parses a template's text (YAML with CloudFormation's short tags, or JSON) into its plain long form. Throws on a
 * syntax error, a duplicate key or an unknown tag (`!Reff`), which the YAML library would only warn about.
 */
export function parseTemplateText(text: string): unknown {
  const document = parseDocument(text, { customTags: CFN_TAGS, uniqueKeys: true, prettyErrors: true });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) throw problem;
  return document.toJS({ maxAliasCount: 100 });
}

/** Reads and parses a template file. */
export async function readTemplate(file: string): Promise<unknown> {
  return parseTemplateText(await readFile(file, 'utf8'));
}
