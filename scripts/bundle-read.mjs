// Bundles the compiled CLI (dist/cli/main.js and what it imports) into dist/bundle/ for `podtap read`:
// one file instead of ~130 ES modules saves about 0.07 s of CPU per run (module resolution, file reads and
// compilation are most of podtap's start-up). Other commands keep the unbundled files: the hub and the demo
// find threads and scripts beside their own modules. bin/podtap.js uses the bundle only while it is newer
// than dist/cli/main.js (`tsc` alone leaves it stale), and never with PODTAP_NO_BUNDLE=1.
import { rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'bundle');
const builtins = new Set(builtinModules);

rmSync(outDir, { recursive: true, force: true });
await build({
  input: join(root, 'dist', 'cli', 'main.js'),
  platform: 'node',
  // Packages stay imports (node_modules is there at run time); only podtap's own modules are bundled.
  external: (id) => id.startsWith('node:') || builtins.has(id) || !(id.startsWith('.') || id.startsWith('/')),
  output: { dir: outDir, format: 'esm', entryFileNames: '[name].js' },
  logLevel: 'warn',
  // main.js imports export-cmd.js both ways (its error class statically): expected, not worth a warning.
  onLog: (level, log, handler) => { if (log.code !== 'INEFFECTIVE_DYNAMIC_IMPORT') handler(level, log); },
});
