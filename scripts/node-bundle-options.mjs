// The esbuild options of every Node bundle (scripts/build.mjs, and the bench's SDK floor).
import { build } from 'esbuild';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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
export const entryExternals = ['./bridge.cjs', './bridge-bundle.cjs', './cli-main.mjs'];

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

/** `node`: ES module bundles; `nodeCjs`: CommonJS (the bridge, the front door `bin`, the app's main). */
export function nodeBundleOptions({ production = false } = {}) {
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

  return { node, nodeCjs };
}

/**
 * A bundle and the small launcher that loads it through V8's code cache
 * (main/core/bridge/code-cache.ts): the bundle first, then the launcher with the
 * bundle's SHA-256 defined as `hashName` (computed here, not at every start).
 */
export async function buildCodeCachedBundle({ bundle, launcher, hashName }) {
  await build(bundle);
  const sha256 = crypto.createHash('sha256').update(fs.readFileSync(bundle.outfile)).digest('hex');
  await build({ ...launcher, define: { ...launcher.define, [hashName]: JSON.stringify(sha256) } });
}
