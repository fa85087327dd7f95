#!/usr/bin/env node
// Launcher of the `rehearse` command: the compiled CLI lives in dist/ (built by `npm run build`,
// which `npm ci` and scripts/setup run).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('rehearse: the CLI is not built (dist/ is missing); run `npm run build` or `bash scripts/setup` in the pg-rehearse folder\n');
  process.exit(3);
}
await import(main.href);
