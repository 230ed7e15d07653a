import type { Meta, StoryObj } from '@storybook/react-vite';
import type { ButtonHTMLAttributes } from 'react';
import { StoryVerification, storyMessages } from './StoryVerification.tsx';

// Each story carries a `status:<state>` tag: e2e/storybook.spec.ts checks the story settles in that state.
const meta = {
  title: 'RelayVerification',
  component: StoryVerification,
  args: { claimType: 'age_over_18_germany', theme: 'light', locale: 'en', scenario: { outcome: { status: 'passed' } } },
  argTypes: {
    claimType: {
      control: 'select',
      options: ['age_over_18_germany', 'age_over_18_united_kingdom', 'age_over_18_france', 'live_human_presence', 'age_over_19_atlantis'],
    },
    theme: { control: 'inline-radio', options: ['light', 'dark', 'system'] },
    locale: { control: 'inline-radio', options: ['en', 'de'] },
    scenario: { control: false },
    render: { control: false },
    components: { control: false },
  },
} satisfies Meta<typeof StoryVerification>;

export default meta;
type Story = StoryObj<typeof meta>;

const documentAndSelfie = [
  { method: 'document_selfie', result: 'passed' },
  { method: 'facial_age_estimation', result: 'passed' },
] as const;

export const Idle: Story = { tags: ['status:idle'], args: { autoStart: false } };

export const Creating: Story = { tags: ['status:creating'], args: { scenario: { holdCreate: true } } };

export const Inquiry: Story = {
  tags: ['status:inquiry'],
  args: { scenario: { outcome: { status: 'passed', methodology: [...documentAndSelfie] } } },
};

export const Verifying: Story = { tags: ['status:verifying'], args: { inquiryAct: 'complete', scenario: { outcome: { status: 'redeeming' } } } };

export const PassedWithMethodology: Story = {
  tags: ['status:passed'],
  args: { inquiryAct: 'complete', scenario: { outcome: { status: 'passed', methodology: [...documentAndSelfie] } } },
};

export const PassedMethodologyHidden: Story = {
  tags: ['status:passed'],
  args: { claimType: 'age_over_18_france', inquiryAct: 'complete', scenario: { outcome: { status: 'passed' } } },
};

export const FailedWithMethodology: Story = {
  tags: ['status:failed'],
  args: { inquiryAct: 'complete', scenario: { outcome: { status: 'failed', methodology: [{ method: 'facial_age_estimation', result: 'failed' }] } } },
};

export const Canceled: Story = {
  tags: ['status:canceled'],
  // Persona's widget has no cancel callback: the person cancels with the kit's own button.
  // The button's name is the locale's (the visual suite plays this story in German too).
  play: async ({ args, canvas, userEvent }) => {
    await userEvent.click(await canvas.findByRole('button', { name: storyMessages(args.locale).cancel }, { timeout: 30_000 }));
  },
};

export const Expired: Story = { tags: ['status:expired'], args: { scenario: { expired: true } } };

export const ErrorWithRequestId: Story = {
  tags: ['status:error'],
  args: { scenario: { createError: { status: 502, title: 'Persona did not answer', requestId: 'req_story_5f2c1a9e' } } },
};

export const UnknownClaimType: Story = {
  tags: ['status:passed'],
  args: {
    claimType: 'age_over_19_atlantis',
    inquiryAct: 'complete',
    scenario: { outcome: { status: 'passed', methodology: [{ method: 'retina_scan', result: 'passed' }] } },
  },
};

export const GermanLocale: Story = {
  tags: ['status:passed'],
  args: { locale: 'de', inquiryAct: 'complete', scenario: { outcome: { status: 'passed', methodology: [...documentAndSelfie] } } },
};

export const DarkTheme: Story = {
  tags: ['status:passed'],
  args: { theme: 'dark', inquiryAct: 'complete', scenario: { outcome: { status: 'passed', methodology: [...documentAndSelfie] } } },
  parameters: { backgrounds: { value: '#111418' } },
};

function PillButton(props: ButtonHTMLAttributes<HTMLButtonElement>) {
  return <button type="button" className="relay-kit__button story-pill" {...props} />;
}

export const CustomRenderSlots: Story = {
  tags: ['status:failed'],
  args: {
    inquiryAct: 'complete',
    scenario: { outcome: { status: 'failed', methodology: [{ method: 'document_selfie', result: 'failed' }] } },
    components: { Button: PillButton },
    render: {
      failed: (state, messages) => (
        <div>
          <h2>Not this time</h2>
          <p>{`The check “${state.claim.claimType}” did not pass. You can try once more.`}</p>
          <PillButton onClick={state.retry}>{messages.tryAgain}</PillButton>
        </div>
      ),
    },
  },
};
