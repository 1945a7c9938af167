#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// `podtap … | head`: a reader that goes away ends the output quietly.
process.stdout.on('error', (err) => { if (err.code === 'EPIPE') process.exit(0); throw err; });

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`podtap: error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.PODTAP_DEBUG) console.error(err);
    process.exitCode = 70;
  },
);
