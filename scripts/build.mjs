// Builds everything that runs: the CLI and the bridge (one-file Node bundles),
// and — once the desktop app exists — its main, preload and renderer bundles.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { buildCodeCachedBundle, entryExternals, nodeBundleOptions, root } from './node-bundle-options.mjs';

const production = process.argv.includes('--production');
const out = (file) => path.join(root, 'dist', file);
const { node, nodeCjs } = nodeBundleOptions({ production });

const shebang = { js: `#!/usr/bin/env node\n${nodeCjs.banner.js}` };

const targets = [
  // The CLI proper (every command but `bridge`).
  { ...node, entryPoints: ['main/cli.ts'], outfile: out('cli-main.mjs') },
  // The two front doors, a few lines each that load bridge.cjs or cli-main.mjs and nothing else:
  // the `mcp-keyring` executable (package.json "bin") and dist/cli.mjs (what the app and configs name).
  { ...nodeCjs, entryPoints: ['main/mcp-keyring.ts'], outfile: out('mcp-keyring.cjs'), external: entryExternals, banner: shebang, sourcemap: false, minifyWhitespace: true },
  { ...node, entryPoints: ['main/mcp-keyring.ts'], outfile: out('cli.mjs'), external: entryExternals, sourcemap: false, minifyWhitespace: true },
];

// The stdio bridge: the bundle, then the small launcher (dist/bridge.cjs) that loads it through V8's code cache.
const buildBridge = () =>
  buildCodeCachedBundle({
    bundle: { ...nodeCjs, entryPoints: ['main/bridge.ts'], outfile: out('bridge-bundle.cjs'), minifyWhitespace: true, sourcemap: false },
    launcher: { ...nodeCjs, entryPoints: ['main/bridge-launcher.ts'], outfile: out('bridge.cjs'), external: entryExternals, banner: shebang, sourcemap: false },
    hashName: 'BRIDGE_BUNDLE_SHA256',
  });

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
