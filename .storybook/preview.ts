import type { Preview } from '@storybook/react-vite';
import '../src/ui/styles.css';

/** Every story is checked by addon-a11y; a violation fails it rather than only warning. */
const preview: Preview = {
  parameters: {
    a11y: { test: 'error' },
    controls: { expanded: true },
  },
};

export default preview;
