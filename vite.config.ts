import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';
import { prerenderLessons } from './src/lessons/prerender-plugin.js';

interface ModuleGraph {
  getModuleInfo(id: string): { isEntry: boolean; importers: readonly string[] } | null;
}

/**
 * Puts every module that the page's entry imports statically (directly or through others) into
 * one chunk, "first-load". Left alone, the bundler splits out each module the first screen shares
 * with a lazy page (Svelte's runtime, the simulation, the queries) into a chunk of its own, and
 * five files gzip 2 kB larger than the same code in one (issue 12: first-load JS at most 100 kB).
 * What the lazy pages need beyond that stays in their own chunks.
 */
function firstLoadChunk(): (id: string, graph: ModuleGraph) => string | null {
  const known = new Map<string, boolean>();
  const isFirstLoad = (id: string, graph: ModuleGraph): boolean => {
    const cached = known.get(id);
    if (cached !== undefined) return cached;
    known.set(id, false); // an import cycle is not a way in
    const info = graph.getModuleInfo(id);
    const result =
      info !== null &&
      (info.isEntry || info.importers.some((importer) => isFirstLoad(importer, graph)));
    known.set(id, result);
    return result;
  };
  return (id, graph) => (isFirstLoad(id, graph) ? 'first-load' : null);
}

export default defineConfig({
  // Lesson prose is rendered to HTML at build time, so markdown-it stays out of the course chunk.
  plugins: [prerenderLessons(), svelte()],
  build: {
    rolldownOptions: {
      output: { codeSplitting: { groups: [{ name: firstLoadChunk() }] } },
    },
  },
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
