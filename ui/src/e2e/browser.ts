/**
 * Debian's Chromium driven by playwright-core, headless, for the UI's
 * end-to-end tests and the UI benchmark. The flags keep it off the network
 * (this machine's is closed) and let it run as root.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { packageRoot } from '../../../src/util/paths.js';

export const CHROMIUM = process.env.PODTAP_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

export function browserSkipReason(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`;
  if (!existsSync(join(packageRoot(), 'dist', 'ui', 'index.html'))) return 'the UI is not built (npm run build:ui)';
  return undefined;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Where screenshots and downloads of a test run go (gitignored). */
export function artifactDir(...parts: string[]): string {
  const dir = join(packageRoot(), 'test-artifacts', ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
