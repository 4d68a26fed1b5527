/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

const src = (dir: string) => decodeURIComponent(new URL(`./src/${dir}`, import.meta.url).pathname);

// Tauri serves ui/dist (frontendDist = "../ui/dist"). Everything is bundled:
// no CDN, no remote fonts, no inline scripts (the app runs under a strict CSP).
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  // Imports say which layer they reach: $app (the shell), $lib (shared, domain-free blocks and
  // the IPC door), $features (one folder per view), $i18n.
  resolve: {
    alias: {
      $app: src('app'),
      $lib: src('lib'),
      $features: src('features'),
      $i18n: src('i18n'),
    },
  },
  clearScreen: false,
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
  },
  preview: {
    host: '127.0.0.1',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: ['es2022', 'safari16'],
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    restoreMocks: true,
  },
});
