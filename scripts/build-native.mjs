// Builds the libpcap addon (native/pcap → native/pcap/build/Release/podtap_pcap.node).
// Run by `npm install` / `npm ci` / `npm rebuild podtap`. Live capture needs it;
// everything else in podtap (reading files) does not, so this script never fails
// the install: when a prerequisite is missing it prints one warning line naming
// the fix and exits 0. Set PODTAP_SKIP_NATIVE=1 to skip the build.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const addonDir = join(root, 'native', 'pcap');
const logFile = join(tmpdir(), 'podtap-native-build.log');
function warn(reason, packages = 'libpcap-dev') {
  console.warn(`podtap: live capture disabled (${reason}); to enable: apt-get install ${packages} && npm rebuild podtap`);
  process.exit(0);
}

if (process.env.PODTAP_SKIP_NATIVE === '1') process.exit(0);
if (process.platform !== 'linux') warn(`live capture needs Linux, this is ${process.platform}`);
if (!existsSync(join(addonDir, 'binding.gyp'))) warn('native/pcap is missing from this install');

// One probe answers "is there a C++ compiler" and "are the libpcap headers there".
const probe = spawnSync('c++', ['-E', '-x', 'c++', '-o', '/dev/null', '-'], { input: '#include <pcap/pcap.h>\n', encoding: 'utf8' });
if (probe.error) warn('no C++ compiler (c++) found', 'libpcap-dev build-essential');
if (probe.status !== 0) warn('libpcap headers (pcap/pcap.h) not found');
if (spawnSync('make', ['--version']).error) warn('make not found', 'libpcap-dev build-essential');

let gyp;
try {
  gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
} catch {
  warn('node-gyp is not installed');
}

// Use the headers of the running Node when they are installed beside it, so
// node-gyp does not download them.
const prefix = resolve(dirname(process.execPath), '..');
const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
const r = spawnSync(process.execPath, [gyp, 'rebuild', '--release', `--directory=${addonDir}`, ...nodedir], { encoding: 'utf8', maxBuffer: 64 << 20 });
writeFileSync(logFile, `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
if (r.status !== 0) warn(`node-gyp build failed, see ${logFile}`);
