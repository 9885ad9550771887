// Builds everything that runs: the CLI and the bridge (one-file Node bundles),
// and — once the desktop app exists — its main, preload and renderer bundles.
import { build } from 'esbuild';
import crypto from 'node:crypto';
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

// Sibling files that entries load at run time (never bundled into them).
const entryExternals = ['./bridge.cjs', './bridge-bundle.cjs', './cli-main.mjs'];

// The MCP SDK builds ~300 zod schemas when its types module is evaluated, and the
// bridge needs a handful (JSON-RPC messages): the rest cost start-up time and
// memory at every launch. Building a zod schema has no effect beyond its value, so
// the SDK's schema expressions are marked pure and the bundler drops the unused
// ones. (Our own code imports zod as a namespace for the same reason: a named `z`
// import keeps all of zod.)
// Only calls that construct a schema: never parse(), safeParse() or config(), whose effect matters.
const schemaConstruction = new RegExp(
  String.raw`(?<![\w$.])(?=(?:z\s*\.\s*(?:string|number|boolean|null|any|unknown|literal|enum|object|looseObject|strictObject|array|record|tuple|union|discriminatedUnion|intersection|optional|nullable|lazy|custom|preprocess|transform|pipe)|[A-Za-z_$][\w$]*Schema\s*\.\s*(?:extend|merge|pick|omit|partial|required|strict|loose|passthrough|optional|nullable|array|and|or|describe|default|catchall))\s*\()`,
  'g',
);
const pureSdkSchemas = {
  name: 'pure-sdk-schemas',
  setup(b) {
    b.onLoad({ filter: /[\\/]@modelcontextprotocol[\\/]sdk[\\/]dist[\\/]esm[\\/].*\.js$/ }, async (args) => ({
      contents: (await fs.promises.readFile(args.path, 'utf8')).replace(schemaConstruction, '/* @__PURE__ */ '),
      loader: 'js',
    }));
  },
};

const node = {
  plugins: [zodEnglishOnly, pureSdkSchemas],
  // Prefer ES module builds: jsonc-parser's UMD "main" has requires esbuild cannot follow.
  mainFields: ['module', 'main'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: { js: nodeBanner },
  // keytar is native: it is loaded from node_modules (or the app's unpacked resources) at run time.
  external: ['keytar', 'electron', ...entryExternals],
  minifySyntax: true,
  minifyWhitespace: production,
  legalComments: 'none',
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

// CommonJS for the bridge: only a script can use V8's code cache on Node 20, and a
// CommonJS entry skips Node's ESM loader. import.meta.url (used to find keytar) is derived from __filename.
const nodeCjs = {
  ...node,
  format: 'cjs',
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },
};
const shebang = { js: `#!/usr/bin/env node\n${nodeCjs.banner.js}` };

const targets = [
  // The CLI proper (every command but `bridge`).
  { ...node, entryPoints: ['main/cli.ts'], outfile: out('cli-main.mjs') },
  // The two front doors, a few lines each that load bridge.cjs or cli-main.mjs and nothing else:
  // the `mcp-keyring` executable (package.json "bin") and dist/cli.mjs (what the app and configs name).
  { ...nodeCjs, entryPoints: ['main/mcp-keyring.ts'], outfile: out('mcp-keyring.cjs'), external: entryExternals, banner: shebang, sourcemap: false, minifyWhitespace: true },
  { ...node, entryPoints: ['main/mcp-keyring.ts'], outfile: out('cli.mjs'), external: entryExternals, sourcemap: false, minifyWhitespace: true },
];

// The stdio bridge: the bundle, then the small launcher (dist/bridge.cjs) that loads it through
// V8's code cache, keyed by the bundle's hash (computed here, not at every start).
async function buildBridge() {
  await build({ ...nodeCjs, entryPoints: ['main/bridge.ts'], outfile: out('bridge-bundle.cjs'), minifyWhitespace: true, sourcemap: false });
  const sha256 = crypto.createHash('sha256').update(fs.readFileSync(out('bridge-bundle.cjs'))).digest('hex');
  await build({
    ...nodeCjs,
    entryPoints: ['main/bridge-launcher.ts'],
    outfile: out('bridge.cjs'),
    external: entryExternals,
    banner: shebang,
    sourcemap: false,
    define: { ...nodeCjs.define, BRIDGE_BUNDLE_SHA256: JSON.stringify(sha256) },
  });
}

// The desktop app's bundles are built when their sources exist.
// Electron loads CommonJS, as the bridge does.
const appTargets = [
  ['main/app/main.ts', { ...nodeCjs, outfile: out('app/main.cjs') }],
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

await Promise.all([...targets.map((options) => build(options)), buildBridge()]);
// Client configs written before 0.2 name dist/bridge.mjs (with --lite-mode): keep that path working.
fs.writeFileSync(
  out('bridge.mjs'),
  "#!/usr/bin/env node\n// Older client configs start the bridge here; it lives in bridge.cjs.\nimport { createRequire } from 'node:module';\ncreateRequire(import.meta.url)('./bridge.cjs');\n",
);
for (const stale of ['mcp-keyring.mjs', 'bridge.mjs.map', 'cli.mjs.map']) fs.rmSync(out(stale), { force: true });
for (const file of ['cli.mjs', 'cli-main.mjs', 'mcp-keyring.cjs', 'bridge.cjs', 'bridge.mjs']) fs.chmodSync(out(file), 0o755);
