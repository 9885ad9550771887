// Builds the bench's SDK floor (proxy.ts + launcher.ts) into `outDir` with the bridge's
// own bundle options and launch technique; returns the launcher's path.
import path from 'node:path';
import { buildCodeCachedBundle, nodeBundleOptions, root } from '../../scripts/node-bundle-options.mjs';

export async function buildSdkFloor(outDir) {
  const { nodeCjs } = nodeBundleOptions({ production: true });
  const here = path.relative(root, path.dirname(new URL(import.meta.url).pathname));
  const launcher = path.join(outDir, 'launcher.cjs');
  await buildCodeCachedBundle({
    bundle: { ...nodeCjs, entryPoints: [path.join(here, 'proxy.ts')], outfile: path.join(outDir, 'proxy.cjs'), minifyWhitespace: true },
    launcher: { ...nodeCjs, entryPoints: [path.join(here, 'launcher.ts')], outfile: launcher, external: ['./proxy.cjs'] },
    hashName: 'PROXY_BUNDLE_SHA256',
  });
  return launcher;
}
