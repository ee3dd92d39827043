/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The error catalogue lives with the Go code (backend/core/locales) and is
// shared by both sides; the dev server must be allowed to read it.
const catalogue = fileURLToPath(new URL('../backend/core/locales', import.meta.url))

// `npm run dev` talks to a running `cloudbridge serve` admin address.
const adminTarget = process.env.CLOUDBRIDGE_ADMIN ?? 'http://127.0.0.1:8898'

export default defineConfig({
  // Relative asset URLs: the bundle is embedded in the Go binary and served
  // by Wails and by the headless admin server alike.
  base: './',
  plugins: [vue()],
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./src', import.meta.url)),
      '@catalogue': catalogue,
    },
  },
  server: {
    fs: { allow: ['.', catalogue] },
    proxy: { '/api': { target: adminTarget, changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
  },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
})
