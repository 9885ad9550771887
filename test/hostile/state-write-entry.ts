// Runs one config write in its own process, so the hostile file cases can be
// measured by the harness like the CLI. Reads a JSON job on standard input (the
// secret travels there, never in argv), prints the result as JSON, or the error's
// message on stderr with exit code 1.
import { writeClientEntry } from '../../main/core/clients/config-writer';
import { httpLaunch } from '../../main/core/clients/launch';
import { writeFileAtomic } from '../../main/core/fs/atomic-write';

interface Job {
  kind: 'entry' | 'atomic';
  file: string;
  secret: string;
  tempSuffix?: string;
}

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const job = JSON.parse(input) as Job;
try {
  if (job.kind === 'entry') {
    const launch = httpLaunch('http://127.0.0.1:8737/servers/example/mcp', { name: 'Authorization', value: `Bearer ${job.secret}` });
    const result = await writeClientEntry({ client: 'cursor', name: 'mcp-keyring-example', launch, configPath: job.file });
    process.stdout.write(`${JSON.stringify({ backupPath: result.backupPath, changed: result.changed })}\n`);
  } else {
    await writeFileAtomic(job.file, `{"secret":"${job.secret}"}\n`, { tempSuffix: job.tempSuffix });
    process.stdout.write('{}\n');
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
