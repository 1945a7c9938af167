/**
 * The web UI: the Vite build in `dist/ui` served on the hub's own port.
 *
 * The page and its assets hold no traffic, so they load without the token;
 * every `/api` call they make needs it (cookie from `/login?token=…`). When
 * the UI was not built, `/` says how to build it instead of failing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { packageRoot } from '../util/paths.js';

/** The Vite build, `dist/ui` in the package (found from the package root, so a copy compiled elsewhere finds it too). */
export const UI_DIR = join(packageRoot(), 'dist', 'ui');

/** Paths the browser may fetch without the token: the page itself and its hashed assets. */
export function isPublicUiPath(path: string): boolean {
  return path === '/' || path === '/index.html' || path === '/favicon.svg' || path.startsWith('/assets/');
}

/** Sent with every response: no framing, no MIME sniffing, scripts and connections only from the hub. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export function registerUi(app: FastifyInstance, dir: string = UI_DIR): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    return payload;
  });
  if (!existsSync(`${dir}/index.html`)) {
    app.get('/', async (_req, reply) => reply.type('text/plain').send('podtap hub: the web UI is not built; run `npm run build` (API under /api)\n'));
    return;
  }
  void app.register(fastifyStatic, {
    root: dir, prefix: '/', index: 'index.html', wildcard: false,
    // Hashed file names never change; the page itself is always revalidated.
    setHeaders: (reply, path) => { void reply.header('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable'); },
  });
}
