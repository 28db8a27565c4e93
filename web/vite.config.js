// Builds src/main.js into dist/webmap/, which Django serves as static files under /map/.
// Django renders the HTML page itself and finds the hashed file names in the manifest.
import { defineConfig } from 'vite';

export default defineConfig({
  // Chunks load each other relative to their own URL, so any STATIC_URL works.
  base: './',
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'webmap/assets',
    manifest: 'webmap/manifest.json',
    target: 'es2020',
    chunkSizeWarningLimit: 600,
    rollupOptions: { input: 'src/main.js' },
  },
});
