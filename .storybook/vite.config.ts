import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Storybook's app build: React only, none of the root config's library entries. */
export default defineConfig({ plugins: [react()] });
