#!/usr/bin/env node
import { statSync } from 'node:fs';

// `podtap read` runs from the bundle of the compiled CLI (scripts/bundle-read.mjs: same code, one file, about
// 0.07 s less start-up) while it is newer than dist/cli/main.js; every other command, a stale or missing bundle,
// or PODTAP_NO_BUNDLE=1 uses the compiled modules themselves.
function entry() {
  const plain = new URL('../dist/cli/main.js', import.meta.url);
  if (process.argv[2] !== 'read' || process.env.PODTAP_NO_BUNDLE === '1') return plain;
  const bundle = new URL('../dist/bundle/main.js', import.meta.url);
  try {
    return statSync(bundle).mtimeMs >= statSync(plain).mtimeMs ? bundle : plain;
  } catch {
    return plain;
  }
}

const url = entry();
if (process.env.PODTAP_DEBUG) process.stderr.write(`podtap: running ${url.pathname}\n`);
const { main } = await import(url.href);

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
