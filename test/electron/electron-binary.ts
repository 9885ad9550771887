// Where the Electron binary is, for the tests that need it (they skip, with the reason, where it is missing).
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/keyring-env';

/**
 * The Electron binary, found the way node_modules/electron/index.js finds it but
 * without require('electron'), which would try to download a missing binary.
 */
export function electronBinary(env: NodeJS.ProcessEnv = process.env): { path: string } | { missing: string } {
  const pkg = path.join(repoRoot, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  const relative = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : undefined;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const binary = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
    return fs.existsSync(binary) ? { path: binary } : { missing: `${binary} (ELECTRON_OVERRIDE_DIST_PATH) does not exist` };
  }
  if (!relative) return { missing: `${pathFile} does not exist (the electron package did not download its binary)` };
  const binary = path.join(pkg, 'dist', relative);
  return fs.existsSync(binary) ? { path: binary } : { missing: `${binary} does not exist` };
}

/** The Electron binary to run the real app with, or why a test cannot: no binary, or (Linux) no display. */
export function electronToRun(env: NodeJS.ProcessEnv = process.env): { path: string } | { skip: string } {
  const binary = electronBinary(env);
  if ('missing' in binary) return { skip: `Electron binary not available: ${binary.missing}` };
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { skip: 'no display (run under xvfb-run to include this test)' };
  return binary;
}
