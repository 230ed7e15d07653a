import { useEffect, useRef, type ButtonHTMLAttributes, type ComponentType, type ReactNode } from 'react';
import type { MethodologyCalculation } from '../core/types.ts';
import { useRelayContext } from '../react/RelayProvider.tsx';
import type { UseRelayClaimOptions, UseRelayClaimReturn, UseRelayClaimStatus } from '../react/types.ts';
import { useRelayClaim } from '../react/useRelayClaim.ts';
import { claimLabel as labelOf } from '../i18n/claimLabel.ts';
import { format } from '../i18n/format.ts';
import { mergeMessages, type RelayMessages } from '../i18n/messages.ts';
import { MethodologyList, type MethodologyListProps } from './MethodologyList.tsx';
import { StatusMark, type StatusMarkKind } from './StatusMark.tsx';

/** The hook's state narrowed to one status, as a `render` function receives it. */
export type RelayStateOf<S extends UseRelayClaimStatus> = Extract<UseRelayClaimReturn, { status: S }>;

/** One optional renderer per status; the default view is used for the others. */
export type RelayRenderers = { [S in UseRelayClaimStatus]?: (state: RelayStateOf<S>, messages: RelayMessages) => ReactNode };

/** Replaceable building blocks of the default views. */
export interface RelayComponents {
  Button?: ComponentType<ButtonHTMLAttributes<HTMLButtonElement>>;
  MethodologyList?: ComponentType<MethodologyListProps>;
}

/** Props of `RelayVerification`: the hook's options plus presentation. */
export type RelayVerificationProps = UseRelayClaimOptions & {
  messages?: Partial<RelayMessages>;
  /** 'system' follows prefers-color-scheme. Default 'system'. */
  theme?: 'light' | 'dark' | 'system';
  render?: RelayRenderers;
  components?: RelayComponents;
  className?: string;
};

const resultStatuses: readonly UseRelayClaimStatus[] = ['passed', 'failed', 'canceled', 'expired', 'error'];

function DefaultButton(props: ButtonHTMLAttributes<HTMLButtonElement>) {
  return <button type="button" className="relay-kit__button" {...props} />;
}

/** The whole verification as one embed: it only renders what `useRelayClaim` returns. */
export function RelayVerification({ messages: override, theme = 'system', render, components, className, ...options }: RelayVerificationProps) {
  const context = useRelayContext();
  const messages = override ? mergeMessages(context.messages, override) : context.messages;
  // Persona's widget speaks the same language and follows the same theme as the kit around it.
  const state = useRelayClaim({ ...options, widgetTheme: theme === 'system' ? 'auto' : theme, widgetLanguage: messages.locale });
  const Button = components?.Button ?? DefaultButton;
  const Methods = components?.MethodologyList ?? MethodologyList;
  const claimType = options.claimType ?? state.claim?.claimType ?? '';
  const claimLabel = labelOf(claimType, messages);

  const heading = useRef<HTMLHeadingElement>(null);
  const wasStatus = useRef(state.status);
  useEffect(() => {
    // Focus follows the person to the outcome, but never on first render: that would steal the page's focus.
    if (wasStatus.current !== state.status && resultStatuses.includes(state.status)) heading.current?.focus();
    wasStatus.current = state.status;
  }, [state.status]);

  const custom = render?.[state.status] as ((s: UseRelayClaimReturn, m: RelayMessages) => ReactNode) | undefined;
  const view = custom ? custom(state, messages) : defaultView();

  function retryButton() {
    return (
      <div className="relay-kit__actions">
        <Button onClick={state.retry}>{messages.tryAgain}</Button>
      </div>
    );
  }

  // The mark is decorative (aria-hidden): the heading says the same in words.
  function outcome(mark: StatusMarkKind, title: string, body: string) {
    return (
      <div className="relay-kit__outcome">
        <StatusMark kind={mark} />
        <div>
          <h2 className="relay-kit__heading" ref={heading} tabIndex={-1}>
            {title}
          </h2>
          <p className="relay-kit__note">{body}</p>
        </div>
      </div>
    );
  }

  function methodology(list: MethodologyCalculation[] | undefined) {
    return <Methods methodology={list} messages={messages} />;
  }

  function defaultView(): ReactNode {
    switch (state.status) {
      case 'idle':
        return (
          <Button onClick={state.start} disabled={options.enabled === false}>
            {format(messages.start, claimLabel)}
          </Button>
        );
      case 'creating':
      case 'verifying':
        return (
          <div className="relay-kit__progress">
            <span className="relay-kit__spinner" aria-hidden="true" />
            <p>{state.status === 'creating' ? messages.creating : messages.verifying}</p>
          </div>
        );
      case 'inquiry': {
        return (
          <>
            <div className="relay-kit__widget" role="group" aria-label={format(messages.inquiryTitle, claimLabel)} {...state.inquiryProps} />
            <div className="relay-kit__actions">
              <Button onClick={state.cancel} data-variant="secondary">
                {messages.cancel}
              </Button>
            </div>
          </>
        );
      }
      case 'passed':
      case 'failed':
        return (
          <>
            {state.status === 'passed'
              ? outcome('check', format(messages.passedHeading, claimLabel), messages.passedBody)
              : outcome('cross', format(messages.failedHeading, claimLabel), messages.failedBody)}
            {methodology(state.methodology)}
            {state.status === 'failed' ? retryButton() : null}
          </>
        );
      case 'canceled':
      case 'expired':
        return (
          <>
            {state.status === 'canceled'
              ? outcome('cross', messages.canceledHeading, messages.canceledBody)
              : outcome('clock', messages.expiredHeading, messages.expiredBody)}
            {retryButton()}
          </>
        );
      case 'error':
        return (
          <>
            {outcome('warning', messages.errorHeading, messages.errorBody)}
            {state.error.requestId ? (
              <p className="relay-kit__reference">
                {messages.requestIdLabel}: <code>{state.error.requestId}</code>
              </p>
            ) : null}
            {retryButton()}
          </>
        );
    }
  }

  return (
    <section className={className ? `relay-kit ${className}` : 'relay-kit'} data-theme={theme} data-status={state.status} aria-label={format(messages.inquiryTitle, claimLabel)}>
      <p className="relay-kit__live" role="status" aria-live="polite">
        {messages.announce[state.status]}
      </p>
      {view}
    </section>
  );
}
