/** Import rules of the hexagon (see ARCHITECTURE.md): the core depends on nothing, adapters only on the core. */
module.exports = {
  forbidden: [
    {
      name: 'core-is-self-contained',
      comment: 'core/ imports nothing outside core/: no adapters, entrypoints, SDKs, frameworks or Node I/O',
      severity: 'error',
      from: { path: '^core/' },
      to: { pathNot: '^core/' },
    },
    {
      name: 'model-imports-nothing',
      comment: 'core/model/ holds the value types the ports speak: plain data that depends on nothing else',
      severity: 'error',
      from: { path: '^core/model/' },
      to: { pathNot: '^core/model/' },
    },
    {
      name: 'ports-are-leaves',
      comment: 'a port speaks only in model types: no pipeline, skills, errors or other ports behind it',
      severity: 'error',
      from: { path: '^core/ports/' },
      to: { pathNot: '^core/model/' },
    },
    {
      name: 'adapters-see-only-the-core-surface',
      comment: 'adapters implement ports: they import ports, model, errors and the defaults, never core internals',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^core/', pathNot: '^core/(ports/|model/|errors[.]ts$|defaults[.]ts$)' },
    },
    {
      name: 'adapters-only-use-the-core',
      comment: 'adapters/ import the core and their own libraries, never entrypoints/',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^entrypoints/' },
    },
    {
      name: 'adapters-do-not-import-each-other-across-families',
      comment:
        'an AWS adapter must not need a local one (and vice versa), so each Lambda bundle stays small; ' +
        'what several families need lives in adapters/shared/',
      severity: 'error',
      from: { path: '^adapters/(aws|local|http|redis)/' },
      to: { path: '^adapters/(aws|local|http|redis)/', pathNot: '^adapters/$1/' },
    },
    {
      name: 'shared-and-decorators-import-no-family',
      comment: 'adapters/shared/ and adapters/decorators/ are technology-neutral: they never reach into a family',
      severity: 'error',
      from: { path: '^adapters/(shared|decorators)/' },
      to: { path: '^adapters/(aws|local|http|redis)/' },
    },
    {
      name: 'shared-is-the-bottom-layer',
      comment: 'adapters/shared/ holds helpers for the families and the decorators, so it depends on neither',
      severity: 'error',
      from: { path: '^adapters/shared/' },
      to: { path: '^adapters/decorators/' },
    },
    {
      name: 'decorators-are-composed-in-entrypoints',
      comment: 'a decorator wraps a port chosen by the composition root; no core or adapter code depends on one',
      severity: 'error',
      from: { pathNot: '^(entrypoints|adapters/decorators)/' },
      to: { path: '^adapters/decorators/' },
    },
    {
      name: 'frameworks-stay-in-entrypoints',
      comment: 'only entrypoints/ import inversify, reflect-metadata or fastify',
      severity: 'error',
      from: { pathNot: '^entrypoints/' },
      to: { path: 'node_modules/(inversify|@inversifyjs|reflect-metadata|fastify|@fastify)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(test|bench|deploy)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      // .tsx: the web client's React components (entrypoints/web).
      extensions: ['.ts', '.tsx', '.mjs', '.js', '.json', '.d.ts'],
    },
  },
};
