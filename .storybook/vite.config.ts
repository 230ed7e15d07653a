import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { relayDevPlugin } from '../e2e/relayDevPlugin.ts';

/**
 * Storybook's app build: React, plus (in `npm run storybook` only, it hooks the dev server) the emulator
 * and the relay handler for the live story; none of the root config's library entries.
 */
export default defineConfig({
  plugins: [react(), relayDevPlugin()],
});
