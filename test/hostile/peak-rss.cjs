// Preloaded into a CLI process by the hostile harness: at exit, append the process's
// peak resident set (VmHWM, kB) to the file named by MCP_KEYRING_TEST_HWM_FILE.
const fs = require('node:fs');
process.on('exit', () => {
  const file = process.env.MCP_KEYRING_TEST_HWM_FILE;
  if (!file) return;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (match) fs.appendFileSync(file, `${match[1]}\n`);
  } catch {}
});
