// The web UI's build: React + Vite, output in dist/ui (served by the hub).
// The filter language's parser is shared with the server; its regex module is
// swapped for a browser one (V8's linear engine flag cannot be set in a page).
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

function browserFilterRegex(): Plugin {
  return {
    name: 'podtap-browser-filter-regex',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === './regex.js' && importer !== undefined && /[\\/]src[\\/]query[\\/]/.test(importer)) return here('./src/filter/browser-regex.ts');
      return null;
    },
  };
}

export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [browserFilterRegex(), react()],
  build: { outDir: here('../dist/ui'), emptyOutDir: true, chunkSizeWarningLimit: 1500, sourcemap: false },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8899', ws: true }, '/login': 'http://127.0.0.1:8899' } },
});
