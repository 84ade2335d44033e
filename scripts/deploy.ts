import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDeployCommand } from '../deploy/tool/deploy-command.js';
import { writerOutput } from '../deploy/tool/output.js';

// `npm run deploy -- --env dev`: the CLI; the steps live in deploy/tool/ (deploy/DEPLOY-COMMAND.md).
process.exitCode = await runDeployCommand(process.argv.slice(2), {
  output: writerOutput(process.stdout, process.stderr),
  env: process.env,
  root: resolve(dirname(fileURLToPath(import.meta.url)), '..'),
  stdin: process.stdin,
});
