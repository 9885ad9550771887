// Builds everything that runs: the CLI and the bridge (one-file Node bundles),
// and — once the desktop app exists — its main, preload and renderer bundles.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const out = (file) => path.join(root, 'dist', file);

// ESM bundles that contain CommonJS dependencies need a real `require`.
const nodeBanner = [
  '#!/usr/bin/env node',
  "import { createRequire as __mcpKeyringCreateRequire } from 'node:module';",
  'const require = __mcpKeyringCreateRequire(import.meta.url);',
].join('\n');

// zod (loaded by the MCP SDK) re-exports all of its ~50 message locales, 290 KB
// of the bridge bundle that is parsed at every start and never used: keep English only.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: path.join(path.dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-en' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
    }));
  },
};

const node = {
  plugins: [zodEnglishOnly],
  // Prefer ES module builds: jsonc-parser's UMD "main" has requires esbuild cannot follow.
  mainFields: ['module', 'main'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: { js: nodeBanner },
  // keytar is native: it is loaded from node_modules (or the app's unpacked resources) at run time.
  external: ['keytar', 'electron', './bridge.mjs'],
  minifySyntax: true,
  minifyWhitespace: production,
  legalComments: 'none',
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

const targets = [
  // The CLI: dispatches `bridge` to bridge.mjs before the CLI proper (bundled in, lazily initialised) is evaluated.
  { ...node, entryPoints: ['main/cli-entry.ts'], outfile: out('cli.mjs') },
  // The `mcp-keyring` executable: a few lines that load bridge.mjs or cli.mjs, nothing else.
  { ...node, entryPoints: ['main/mcp-keyring.ts'], outfile: out('mcp-keyring.mjs'), external: ['./bridge.mjs', './cli.mjs'], banner: { js: '#!/usr/bin/env node' }, sourcemap: false, minifyWhitespace: true },
  { ...node, entryPoints: ['main/bridge.ts'], outfile: out('bridge.mjs'), minifyWhitespace: true },
];

// The desktop app's bundles are built when their sources exist.
// Electron loads CommonJS; import.meta.url (used to find keytar) is derived from __filename there.
const cjs = {
  ...node,
  format: 'cjs',
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },
};
const appTargets = [
  ['main/app/main.ts', { ...cjs, outfile: out('app/main.cjs') }],
  // A sandboxed preload may require only 'electron': no banner, nothing from Node.
  ['main/app/preload.ts', { ...node, plugins: [], format: 'cjs', banner: undefined, outfile: out('app/preload.cjs') }],
];
for (const [entry, options] of appTargets) {
  if (fs.existsSync(path.join(root, entry))) targets.push({ ...options, entryPoints: [entry] });
}

// The React window: one browser bundle plus its static files, served from dist/renderer.
if (fs.existsSync(path.join(root, 'renderer/index.tsx'))) {
  targets.push({
    entryPoints: ['renderer/index.tsx'],
    outfile: out('renderer/app.js'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'chrome120',
    jsx: 'automatic',
    loader: { '.png': 'file', '.svg': 'file' },
    define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
    minify: production,
    sourcemap: production ? false : 'linked',
    logLevel: 'warning',
    absWorkingDir: root,
  });
  fs.mkdirSync(out('renderer'), { recursive: true });
  for (const file of fs.readdirSync(path.join(root, 'renderer'))) {
    if (/\.(html|css)$/.test(file)) fs.copyFileSync(path.join(root, 'renderer', file), out(`renderer/${file}`));
  }
}

await Promise.all(targets.map((options) => build(options)));
fs.chmodSync(out('cli.mjs'), 0o755);
fs.chmodSync(out('bridge.mjs'), 0o755);
fs.chmodSync(out('mcp-keyring.mjs'), 0o755);
