// Builds the bench's SDK floor (proxy.ts + launcher.ts) into `outDir` with the bridge's
// own bundle options; returns the launcher's path.
import { build } from 'esbuild';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { nodeBundleOptions, root } from '../../scripts/node-bundle-options.mjs';

export async function buildSdkFloor(outDir) {
  const { nodeCjs } = nodeBundleOptions({ production: true });
  const here = path.relative(root, path.dirname(new URL(import.meta.url).pathname));
  await build({ ...nodeCjs, entryPoints: [path.join(here, 'proxy.ts')], outfile: path.join(outDir, 'proxy.cjs'), minifyWhitespace: true });
  const sha256 = crypto.createHash('sha256').update(fs.readFileSync(path.join(outDir, 'proxy.cjs'))).digest('hex');
  const launcher = path.join(outDir, 'launcher.cjs');
  await build({ ...nodeCjs, entryPoints: [path.join(here, 'launcher.ts')], outfile: launcher, external: ['./proxy.cjs'], define: { ...nodeCjs.define, PROXY_BUNDLE_SHA256: JSON.stringify(sha256) } });
  return launcher;
}
