#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`podtap: error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.PODTAP_DEBUG) console.error(err);
    process.exitCode = 70;
  },
);
