// The syntax tree helpers of the eager-compile hints (compile-hints.ts, compile-hints-classes.ts): acorn's nodes.

/** An acorn node. */
export interface AstNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

export const isNode = (value: unknown): value is AstNode =>
  typeof value === 'object' && value !== null && typeof (value as AstNode).type === 'string';

export function children(node: AstNode): AstNode[] {
  const found: AstNode[] = [];
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (Array.isArray(value)) for (const item of value) if (isNode(item)) found.push(item);
    if (isNode(value)) found.push(value);
  }
  return found;
}

export const isFunction = (node: AstNode) =>
  node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration' || node.type === 'ArrowFunctionExpression';

/** Names assigned anywhere in `node` (`f = ...`, `f++`, `[f] = ...`): a declaration of such a name is not moved. */
export function assignedNames(node: AstNode, names = new Set<string>()): Set<string> {
  const targets = (target: AstNode) => {
    if (target.type === 'Identifier') names.add(target.name as string);
    else for (const child of children(target)) targets(child);
  };
  if (node.type === 'AssignmentExpression') targets(node.left as AstNode);
  if (node.type === 'UpdateExpression') targets(node.argument as AstNode);
  if (node.type === 'ForInStatement' || node.type === 'ForOfStatement') targets(node.left as AstNode);
  for (const child of children(node)) assignedNames(child, names);
  return names;
}
