import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Ports with no contract suite on purpose. Anything else in core/ports that an adapter implements must have one, so a
 * new port is covered the day it appears instead of the day someone remembers to list it.
 */
const exemptPorts: ReadonlyMap<string, string> = new Map([
  ['Clock', 'a clock has nothing to agree on beyond returning a Date; tests inject FixedClock instead'],
  ['Skill', 'skills live in core/skills and are driven by the dialogue unit tests, not by an adapter suite'],
]);

function filesUnder(dir: string, accept: (path: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(path, accept);
    return accept(path) ? [path] : [];
  });
}

const isSource = (path: string) => path.endsWith('.ts') && !path.endsWith('.d.ts');
const parse = (path: string, text = readFileSync(path, 'utf8')) =>
  ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
const pascal = (kebab: string) => kebab.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, c: string) => c.toUpperCase());
const isExported = (node: ts.Node) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** A port is an interface in core/ports/<kebab-name>.ts named after its file (`conversation-store.ts` -> ConversationStore). */
function portNames(): string[] {
  return filesUnder(join(root, 'core', 'ports'), isSource)
    .map((path) => ({ path, name: pascal(basename(path, '.ts')) }))
    .filter(({ path, name }) =>
      parse(path).statements.some((s) => ts.isInterfaceDeclaration(s) && isExported(s) && s.name.text === name),
    )
    .map(({ name }) => name)
    .filter((name) => !exemptPorts.has(name));
}

/** The ports an adapter module serves: each exported class whose name ends with a port's name or that implements one. */
function portsServedBy(file: ts.SourceFile, ports: readonly string[]): string[] {
  const locallyExported = new Set<string>();
  for (const s of file.statements) {
    if (ts.isExportDeclaration(s) && !s.moduleSpecifier && s.exportClause && ts.isNamedExports(s.exportClause)) {
      for (const e of s.exportClause.elements) locallyExported.add((e.propertyName ?? e.name).text);
    }
  }
  const served = new Set<string>();
  for (const s of file.statements) {
    if (!ts.isClassDeclaration(s) || !s.name || !(isExported(s) || locallyExported.has(s.name.text))) continue;
    const implemented = (s.heritageClauses ?? [])
      .filter((h) => h.token === ts.SyntaxKind.ImplementsKeyword)
      .flatMap((h) => h.types.map((t) => t.expression.getText(file).split('.').pop() ?? ''));
    const className = s.name.text;
    for (const port of ports) if (className.endsWith(port) || implemented.includes(port)) served.add(port);
  }
  return [...served];
}

/** What a test file pulls in (static, re-exported and dynamic imports, as absolute .ts paths) and which suites it calls. */
function testFileFacts(file: ts.SourceFile): { imports: Set<string>; contracts: Set<string> } {
  const imports = new Set<string>();
  const contracts = new Set<string>();
  const addImport = (specifier: string) => {
    if (specifier.startsWith('.')) imports.add(resolve(dirname(file.fileName), specifier).replace(/\.js$/, '.ts'));
  };
  const visit = (node: ts.Node): void => {
    const isModuleStatement = ts.isImportDeclaration(node) || ts.isExportDeclaration(node);
    if (isModuleStatement && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      addImport(node.moduleSpecifier.text);
    }
    if (ts.isCallExpression(node)) {
      const [first] = node.arguments;
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword && first && ts.isStringLiteralLike(first))
        addImport(first.text);
      const callee = ts.isPropertyAccessExpression(node.expression) ? node.expression.name : node.expression;
      const suite = ts.isIdentifier(callee) ? /^describe(\w+)Contract$/.exec(callee.text) : null;
      if (suite?.[1]) contracts.add(suite[1]);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { imports, contracts };
}

const ports = portNames();
const adapters = filesUnder(join(root, 'adapters'), isSource).flatMap((path) =>
  portsServedBy(parse(path), ports).map((port) => ({ module: relative(root, path).split(sep).join('/'), path, port })),
);
const testFiles = filesUnder(join(root, 'test'), (path) => path.endsWith('.test.ts')).map((path) => ({
  name: relative(root, path),
  ...testFileFacts(parse(path)),
}));

describe('contract coverage', () => {
  it('derives every port the architecture names from core/ports', () => {
    expect(ports).toEqual(
      expect.arrayContaining([
        'ConversationStore',
        'UserProfileStore',
        'Cache',
        'EventPublisher',
        'LanguageModel',
        'LanguageUnderstanding',
        'SpeechRecognizer',
        'SpeechSynthesizer',
        'SentimentAnalyzer',
        'WeatherProvider',
        'MusicCatalog',
        'TokenVerifier',
      ]),
    );
  });

  it('finds the adapters it checks', () => {
    expect(adapters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ module: 'adapters/local/memory-conversation-store.ts', port: 'ConversationStore' }),
        expect.objectContaining({ module: 'adapters/local/in-process-event-publisher.ts', port: 'EventPublisher' }),
      ]),
    );
  });

  const importCache = "import { MemoryCache } from '../../../adapters/local/memory-cache.js';";
  it.each([
    {
      case: 'a static import and the suite call',
      source: `${importCache}\ndescribeCacheContract('m', make);`,
      covers: true,
    },
    {
      case: 'a dynamic import and a namespaced call',
      source: "await import('../../../adapters/local/memory-cache.js');\nsuites.describeCacheContract('m', make);",
      covers: true,
    },
    { case: 'an import but no suite call', source: `${importCache}\ndescribe('m', () => {});`, covers: false },
    {
      case: 'the suite call only in a comment',
      source: `${importCache}\n// describeCacheContract('m', make);`,
      covers: false,
    },
    {
      case: "another port's suite",
      source: `${importCache}\ndescribeConversationStoreContract('m', make);`,
      covers: false,
    },
    { case: 'the suite but no import', source: "describeCacheContract('m', make);", covers: false },
  ])('judges a test file with $case as covering: $covers', ({ source, covers }) => {
    const facts = testFileFacts(parse(join(root, 'test', 'adapters', 'local', 'probe.test.ts'), source));
    expect(facts.imports.has(join(root, 'adapters', 'local', 'memory-cache.ts')) && facts.contracts.has('Cache')).toBe(
      covers,
    );
  });

  it('recognises an adapter by its class name or by the port it implements, exported classes only', () => {
    const served = (source: string) => portsServedBy(parse('probe.ts', source), ['Cache', 'TokenVerifier']);
    expect(served('export class Hs256TokenAuthority implements TokenVerifier {}')).toEqual(['TokenVerifier']);
    expect(served('export class RedisCache {}')).toEqual(['Cache']);
    expect(served('class RedisCache {}\nexport { RedisCache };')).toEqual(['Cache']);
    expect(served('class RedisCache {}\nexport class Helper {}')).toEqual([]);
  });

  const rows = adapters.map((a) => [a.module, a.port, a.path] as const);
  it.each(rows)('%s runs the %s contract suite', (_module, port, path) => {
    const covering = testFiles.filter((t) => t.imports.has(path) && t.contracts.has(port));
    const missing = `no test under test/ imports this module and calls describe${port}Contract(`;
    expect(covering.length, missing).toBeGreaterThan(0);
  });
});
