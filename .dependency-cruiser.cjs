// The architecture, checked by `npm run lint` (dependency-cruiser): who may import
// whom, and no cycles at any level. See README "Layout".
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles hide layering mistakes and break partial loading; keep the graph acyclic.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'renderer-imports-only-shared',
      severity: 'error',
      comment: 'The window is sandboxed: it talks to the main process over IPC and shares only types and pure logic from shared/.',
      from: { path: '^renderer/' },
      to: { pathNot: ['^renderer/', '^shared/', '(^|/)node_modules/'] },
    },
    {
      name: 'renderer-no-node-builtins',
      severity: 'error',
      comment: 'The sandboxed page has no Node.',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-imports-only-shared',
      severity: 'error',
      comment: 'shared/ holds cross-process types and pure logic; it must not reach into a process.',
      from: { path: '^shared/' },
      to: { path: '^(main|renderer|test)/' },
    },
    {
      name: 'core-not-electron',
      severity: 'error',
      comment: 'main/core runs in plain Node (CLI, bridges): it never loads Electron.',
      from: { path: '^main/core/' },
      to: { path: ['^electron$', '(^|/)node_modules/electron/'] },
    },
    {
      name: 'core-not-app',
      severity: 'error',
      comment: 'main/core sits below the Electron shell (main/app) and the CLI; it never imports them.',
      from: { path: '^main/core/' },
      to: { path: ['^main/app/', '^main/cli(\\.ts$|/)'] },
    },
    {
      name: 'keyring-drivers-sit-above-it',
      severity: 'error',
      comment:
        'keyring.ts is built from these concerns, so none of them may import it back (that is a layering cycle even without a file cycle); ' +
        'whatever drives a Keyring (scheduler, service, bridges, adopt, browserless-servers.ts) lives above it.',
      from: { path: '^main/core/(authorize|discovery|fs|history|http|idp|registration|registry|tokens|vault)/' },
      to: { path: '^main/core/keyring\\.ts$' },
    },
    {
      name: 'production-not-test',
      severity: 'error',
      comment: 'Test helpers are not shipped: production code (main/, renderer/, shared/) never imports from test/.',
      from: { path: '^(main|renderer|shared)/' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      from: { path: '^(main|renderer|shared)/' },
      // The front doors load their built siblings in dist/ at run time (scripts/build.mjs).
      to: { couldNotResolve: true, pathNot: '^\\./(bridge\\.cjs|bridge-bundle\\.cjs|cli-main\\.mjs)$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^release/', '^test/conformance/suite/'] },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
