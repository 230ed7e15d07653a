import { builtinModules } from 'node:module';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { relayLibraryBuild } from './scripts/libBuild.ts';

const external = [
  'react',
  'react-dom',
  'react/jsx-runtime',
  '@tanstack/react-query',
  'redis',
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
];

export default defineConfig({
  plugins: [react(), relayLibraryBuild({ workerEntry: 'src/worker/relay.worker.ts', clientEntries: ['index'] })],
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    sourcemap: true,
    lib: {
      formats: ['es'],
      entry: {
        index: 'src/index.ts',
        'core/index': 'src/core/index.ts',
        'privacy-pass/index': 'src/privacy-pass/index.ts',
        'server/index': 'src/server/index.ts',
        'server/redis': 'src/server/redis.ts',
        'emulator/index': 'src/emulator/index.ts',
        'emulator/cli': 'src/emulator/cli.ts',
        'emulator/widget/index': 'src/emulator/widget/index.ts',
      },
    },
    rollupOptions: { external },
  },
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}', 'bench/**/*.test.ts'], exclude: ['test/react18/**', '**/node_modules/**'],
    environment: 'node',
    testTimeout: 30_000,
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'] },
  },
});
