import type { RelayFlowMachine } from './RelayFlowMachine.ts';
import type { InquiryEvent } from './types.ts';

/** Persona's widget error (`RelayError` in PROTOCOL.md §6.1): a code, sometimes a message. */
export interface RelayWidgetError {
  code: string;
  message?: string;
}

/** The widget themes Persona documents; `auto` follows the system. */
export type RelayWidgetTheme = 'light' | 'dark' | 'auto';

/** The options of `new Relay(container, options)` from `@persona/relay` (PROTOCOL.md §6.1). */
export interface RelayWidgetOptions {
  /** The session's `relay-session-access-token`. */
  accessToken: string;
  /** The person finished; carries no data. */
  onComplete?: () => void;
  /** A configuration or network error. */
  onError?: (error: RelayWidgetError) => void;
  /** The relay session expired (30 minutes). */
  onExpire?: () => void;
  theme?: RelayWidgetTheme;
  /** A Persona language code such as `fr` or `pt-BR`. */
  language?: string;
}

/** A mounted widget: `destroy()` removes its iframes and listeners. */
export interface RelayWidget {
  destroy(): void;
}

/**
 * Persona's widget class as the kit uses it: `Relay` from `@persona/relay`, or `EmulatorRelay` from
 * `relay-claim-kit/emulator/widget`. Typed here from the documented contract; the kit does not depend on it.
 */
export type RelayWidgetConstructor = new (container: string | HTMLElement, options: RelayWidgetOptions) => RelayWidget;

/** How the widget should look: Persona's `theme` and `language` options. */
export interface RelayWidgetLook {
  theme?: RelayWidgetTheme;
  language?: string;
}

/** Persona's `RelayError` as an `InquiryEvent`; whatever the widget passes, the kit keeps only a bounded code and message. */
function widgetError(error: unknown): InquiryEvent {
  const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  return {
    type: 'error',
    code: typeof code === 'string' ? code.slice(0, 100) : 'unknown',
    ...(typeof message === 'string' ? { message: message.slice(0, 500) } : {}),
  };
}

/**
 * Mounts `Widget` into `container` for the flow's current inquiry and wires its callbacks to the flow
 * (complete → redeem, error → `error`, expire → `expired`); a callback of an earlier session is ignored.
 * Returns the widget to `destroy()`, or undefined when the flow is not in an inquiry or the constructor
 * threw (the flow is then in `error`, code `inquiry-error`).
 */
export function mountRelayWidget(flow: RelayFlowMachine, Widget: RelayWidgetConstructor, container: HTMLElement, look: RelayWidgetLook = {}): RelayWidget | undefined {
  const snapshot = flow.getSnapshot();
  if (snapshot.status !== 'inquiry') return undefined;
  const { sessionId, sessionAccessToken } = snapshot.session;
  try {
    return new Widget(container, {
      accessToken: sessionAccessToken,
      onComplete: () => { flow.handleInquiryEvent({ type: 'complete' }, sessionId); },
      onExpire: () => { flow.handleInquiryEvent({ type: 'expire' }, sessionId); },
      onError: (error: unknown) => { flow.handleInquiryEvent(widgetError(error), sessionId); },
      ...(look.theme ? { theme: look.theme } : {}),
      ...(look.language ? { language: look.language } : {}),
    });
  } catch (error) {
    flow.handleInquiryEvent({ type: 'error', code: 'widget-failed', message: error instanceof Error ? error.message : String(error) }, sessionId);
    return undefined;
  }
}
