import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run test:live`: the handler against Persona's sandbox. Its files end in `.live.ts`, so the main
// config (`*.test.ts`) never picks them up, with or without a key.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/live/**/*.live.ts', 'test/contract/**/*.live.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
