import type { Meta, StoryObj } from '@storybook/react-vite';
import { LiveVerification } from './LiveVerification.tsx';

// No `status:*` tag: e2e/storybook.spec.ts opens the static build, where no emulator answers.
const meta = {
  title: 'RelayVerification/Live (emulator)',
  component: LiveVerification,
  tags: ['live'],
  args: { claimType: 'age_over_18_germany', theme: 'light', locale: 'en' },
  argTypes: {
    claimType: { control: 'select', options: ['age_over_18_germany', 'age_over_18_united_kingdom', 'age_over_18_france', 'live_human_presence'] },
    theme: { control: 'inline-radio', options: ['light', 'dark', 'system'] },
    locale: { control: 'inline-radio', options: ['en', 'de'] },
  },
} satisfies Meta<typeof LiveVerification>;

export default meta;

/** Press the button, then finish the emulator's hosted page inside the frame. */
export const AgainstTheEmulator: StoryObj<typeof meta> = {};
