import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The consent banner as one classic script (IIFE, minified) beside the SDK's modules: dist/consent.js.
export default defineConfig({
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('dist', import.meta.url)),
    emptyOutDir: false,
    sourcemap: false,
    target: 'es2020',
    lib: {
      entry: fileURLToPath(new URL('src/banner/consent.ts', import.meta.url)),
      formats: ['iife'],
      name: 'CustosConsentBanner',
      fileName: () => 'consent.js',
    },
  },
});
