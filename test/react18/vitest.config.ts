import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The React tests again, on React 18.3 from this folder's own install (`npm ci --prefix test/react18`), with its own
// @testing-library/react so that library's CommonJS requires resolve React 18 too.
const react18 = fileURLToPath(new URL('./node_modules/', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

export default defineConfig({
  root,
  plugins: [react()],
  resolve: {
    alias: [
      // Its own copy, so its CommonJS `require('react')` finds React 18 beside it.
      { find: /^@testing-library\/react$/, replacement: `${react18}@testing-library/react` },
      { find: /^react-dom(\/.*)?$/, replacement: `${react18}react-dom$1` },
      { find: /^react(\/.*)?$/, replacement: `${react18}react$1` },
    ],
  },
  test: {
    include: ['src/react/**/*.test.{ts,tsx}', 'src/ui/**/*.test.{ts,tsx}', 'test/react18/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    // Inlined so the aliases reach the libraries' own `import 'react'` too; otherwise Node would load React 19 for them.
    server: { deps: { inline: ['@tanstack/react-query'] } },
  },
});
