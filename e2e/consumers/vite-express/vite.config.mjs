import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Nothing kit-specific: Vite finds the worker from the kit's `new Worker(new URL(…, import.meta.url))`.
// RELAY_MEASURE=1 (e2e/consumers/run.ts) only weighs the kit: the files the React entry loads up front
// (its static imports, not the lazy in-thread fallback nor the emulator's widget) go to a chunk of their own.
const measure = process.env.RELAY_MEASURE === '1';

function staticClosure(entry) {
  const seen = new Set();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/\bfrom\s*["'](\.{1,2}\/[^"']+)["']|^import\s*["'](\.{1,2}\/[^"']+)["']/gm)) queue.push(normalize(join(dirname(file), m[1] ?? m[2])));
  }
  return seen;
}

const kitFiles = measure ? staticClosure(createRequire(import.meta.url).resolve('relay-claim-kit')) : new Set();

export default defineConfig({
  plugins: [react()],
  build: measure
    ? {
        rollupOptions: {
          // Rolldown's groups; without includeDependenciesRecursively: false, React would join the kit's chunk.
          output: { advancedChunks: { includeDependenciesRecursively: false, groups: [{ name: 'relay-claim-kit', test: (id) => kitFiles.has(normalize(id)) }] } },
        },
      }
    : {},
});
