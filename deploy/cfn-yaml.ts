import { Document, Pair, parseDocument, YAMLMap, YAMLSeq, type CollectionTag, type Node, type ScalarTag } from 'yaml';

/*
 * CloudFormation YAML, read and written in one place for the template checker (deploy/checks/) and the deploy
 * command (deploy/tool/). Reading turns the short-form intrinsics into their plain long form (`!Sub x` ->
 * `{ "Fn::Sub": x }`, `!GetAtt A.B` -> `{ "Fn::GetAtt": [A, B] }`), the way `aws cloudformation package` reads them;
 * writing turns the long form back into short tags, so a packaged template reads like its source.
 */

/** The intrinsic functions (and the Rules section's functions) that have a short tag, by their long name. */
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
] as const;

const shortTag = (name: string) => `!${name.replace(/^Fn::/, '')}`;

/** `!GetAtt Res.Attr` names the resource before the first dot; the attribute may hold dots (`Stack.Outputs.X`). */
function scalarValue(name: string, text: string): unknown {
  if (name !== 'Fn::GetAtt') return text;
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

/** Each tag exists for scalars, sequences and mappings, as CloudFormation accepts any of them. */
const READ_TAGS: (ScalarTag | CollectionTag)[] = FUNCTIONS.flatMap((name) => {
  const tag = shortTag(name);
  const scalar: ScalarTag = { tag, resolve: (text: string) => ({ [name]: scalarValue(name, text) }) };
  const collection = (kind: 'seq' | 'map'): CollectionTag => ({
    tag,
    collection: kind,
    resolve: (node: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [name]: node.toJSON() as unknown }),
  });
  return [scalar, collection('seq'), collection('map')];
});

/**
 * Parses a template's text (YAML with CloudFormation's short tags, or JSON) into its plain long form. Reading uses
 * YAML 1.2's core schema, so `AWSTemplateFormatVersion: 2010-09-09` stays a string. Throws on a syntax error, a
 * duplicate key or an unknown tag (`!Reff`), which the YAML library would only warn about.
 */
export function parseTemplateText(text: string): unknown {
  const document = parseDocument(text, { customTags: READ_TAGS, uniqueKeys: true, prettyErrors: true });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) throw problem;
  return document.toJS({ maxAliasCount: 100 });
}

const isFunction = (key: string): key is (typeof FUNCTIONS)[number] => (FUNCTIONS as readonly string[]).includes(key);

/** The one key of a long-form intrinsic (`{ "Fn::Sub": … }`), or undefined for any other value. */
function intrinsicName(value: unknown): (typeof FUNCTIONS)[number] | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && isFunction(keys[0]!) ? keys[0] : undefined;
}

/** Builds the YAML node of a long-form value, each intrinsic as its short tag over its argument. */
function toNode(document: Document, value: unknown): Node {
  const name = intrinsicName(value);
  if (name) {
    const inner = (value as Record<string, unknown>)[name];
    // `!GetAtt A.B` for the usual pair of names; any other GetAtt argument is written as a sequence.
    const argument =
      name === 'Fn::GetAtt' && Array.isArray(inner) && inner.length === 2 && inner.every((p) => typeof p === 'string')
        ? inner.join('.')
        : inner;
    const node = toNode(document, argument);
    node.tag = shortTag(name);
    return node;
  }
  if (Array.isArray(value)) {
    const seq = new YAMLSeq(document.schema);
    for (const item of value) seq.items.push(toNode(document, item));
    return seq;
  }
  if (value !== null && typeof value === 'object') {
    const map = new YAMLMap(document.schema);
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) map.items.push(new Pair(document.createNode(key), toNode(document, item)));
    }
    return map;
  }
  return document.createNode(value);
}

/**
 * Writes a long-form template as YAML with the intrinsics as short tags. The writer's schema is YAML 1.1 (the one
 * CloudFormation reads with), so every string that a 1.1 reader could take for something else — a date
 * (`2010-09-09`), a boolean (`yes`, `off`), an octal or exponent number (`0123`, `1e3`) — is quoted.
 */
export function dumpTemplateText(value: unknown): string {
  const document = new Document(null, { version: '1.1' });
  document.contents = toNode(document, value);
  return document.toString({ lineWidth: 0, singleQuote: true });
}
