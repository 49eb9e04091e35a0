import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The console (`/console`) and the privacy center (`/privacy`): two HTML entry points sharing one build,
 * so both load the same content-hashed chunks from `/assets/`. The server serves `dist/web` (see
 * src/http/web-app.ts). `npm run dev:web` serves the pages with hot reload and sends `/v1` to a running
 * `custos serve` on port 8080.
 */
/** In development, any page path under /console/ or /privacy/ gets that app's HTML, as the server does. */
function singlePageFallback(): Plugin {
  return {
    name: 'custos-single-page-fallback',
    configureServer(server) {
      server.middlewares.use((request, _response, next) => {
        const path = (request.url ?? '').split('?')[0] ?? '';
        const app = /^\/(console|privacy)(\/|$)/.exec(path)?.[1];
        if (app && !/\.[a-z0-9]+$/i.test(path)) request.url = `/${app}/index.html`;
        next();
      });
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), singlePageFallback()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
    rolldownOptions: {
      input: {
        console: fileURLToPath(new URL('console/index.html', import.meta.url)),
        privacy: fileURLToPath(new URL('privacy/index.html', import.meta.url)),
      },
      // Code both apps use (React, the router, the shared components) goes into one chunk.
      output: {
        chunkFileNames: 'assets/shared-[hash].js',
        assetFileNames: ({ names }) =>
          names.some((name) => /^(console|privacy)\./.test(name))
            ? 'assets/[name]-[hash][extname]'
            : 'assets/shared-[hash][extname]',
      },
    },
  },
  server: {
    proxy: { '/v1': 'http://127.0.0.1:8080' },
  },
});
