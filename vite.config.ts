import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte()],
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    // Only test/lab runs tests concurrently: each cell mostly waits on the kernel and real
    // programs in its own namespaces, so eight at once keep the suite to a few minutes.
    maxConcurrency: 8,
    // The heaviest tests (the stepper-vs-XState matrix, the topology renders) take a second or two
    // alone and several times that beside the lab suite on CI's two cores.
    testTimeout: 30_000,
  },
});
