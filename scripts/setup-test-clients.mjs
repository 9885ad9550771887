#!/usr/bin/env node
// Makes the real MCP clients the tests drive runnable after `npm ci`. Claude Code's
// npm package ships a placeholder `claude` and puts the native binary in place from
// its postinstall script, which npm's allowScripts list does not run; run it here.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const claudePackage = path.join(root, 'node_modules', '@anthropic-ai', 'claude-code');
const claude = path.join(claudePackage, 'bin', 'claude.exe');

function claudeWorks() {
  const result = spawnSync(claude, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  return result.status === 0 && /Claude Code/.test(result.stdout);
}

if (!claudeWorks()) {
  const install = spawnSync(process.execPath, [path.join(claudePackage, 'install.cjs')], { cwd: claudePackage, stdio: 'inherit' });
  if (install.status !== 0 || !claudeWorks()) {
    process.stderr.write('setup-test-clients: Claude Code could not be installed (node_modules/@anthropic-ai/claude-code/install.cjs failed).\n');
    process.exit(1);
  }
}
