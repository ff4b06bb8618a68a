#!/usr/bin/env node
// The installed entry point: runs the compiled CLI (npm run build produces dist/).
import { main } from '../dist/src/cli/main.js';

// `lvsd ... | head`: when the reader goes away, stop quietly as other Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2), process.env);
