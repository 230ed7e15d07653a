import type { StorybookConfig } from '@storybook/react-vite';

/** Storybook for the React kit: every state of RelayVerification, driven by stories/fakeBackend.ts. */
const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.tsx'],
  addons: ['@storybook/addon-a11y'],
  framework: { name: '@storybook/react-vite', options: {} },
  // Storybook sets up Vite in middleware mode without a port; the dev plugin needs it to reach its emulator.
  viteFinal: (config) => ({ ...config, server: { ...config.server, port: Number(process.env.STORYBOOK_PORT ?? 6006) } }),
  core: {
    disableTelemetry: true,
    // The root vite.config.ts is the library build; Storybook needs a plain app config.
    builder: { name: '@storybook/builder-vite', options: { viteConfigPath: '.storybook/vite.config.ts' } },
  },
};

export default config;
