import type { RelayFlowEvent } from '../core/flowState.ts';
import type { RelayWidgetTheme } from '../core/widget.ts';
import type { RelayError } from '../wire/errors.ts';
import type { MethodologyCalculation, RelayClaim, RelaySessionInfo } from '../wire/types.ts';

/** Options of `useRelayClaim`: a `claimType` to create a session, or the app's own `sessionId` + `sessionAccessToken`. */
export type UseRelayClaimOptions = (
  | { claimType: string; sessionId?: undefined; sessionAccessToken?: undefined; expiresAt?: undefined }
  | { claimType?: string; sessionId: string; sessionAccessToken: string; expiresAt: string }
) & {
  /** False keeps the hook idle with no flow at all. Default true. */
  enabled?: boolean;
  /** Start as soon as mounted. Default true; with false, call `start()`. */
  autoStart?: boolean;
  /** Called once per result (passed or failed); the latest function is used. */
  onResult?: (claim: RelayClaim) => void;
  onError?: (error: RelayError) => void;
  /** Lifecycle events for analytics; they carry no token or secret. Status events use the hook's own statuses. */
  onEvent?: (event: UseRelayClaimEvent) => void;
  /** The issuer the Privacy Pass challenge must name; default: the provider's `expectedIssuer`, else Persona's. */
  expectedIssuer?: string;
  /** Persona's widget `theme`; default the widget's own (`auto`). Read when the widget mounts. */
  widgetTheme?: RelayWidgetTheme;
  /** Persona's widget `language`; default the provider's `messages.locale`. Read when the widget mounts. */
  widgetLanguage?: string;
};

/**
 * A lifecycle event of `useRelayClaim`: the flow's events, with `status` in the hook's vocabulary
 * (`verifying` for the flow's redeeming and polling, reported once), so it matches `claim.status`.
 */
export type UseRelayClaimEvent = Exclude<RelayFlowEvent, { type: 'status' }> | { type: 'status'; status: UseRelayClaimStatus };

/** Spread onto the element Persona's widget mounts into (an empty `<div>`); the hook mounts and destroys the widget. */
export interface RelayInquiryProps {
  ref: (container: HTMLElement | null) => void;
}

/** Public status of the hook: `verifying` covers the flow's redeeming and polling. */
export type UseRelayClaimStatus = UseRelayClaimReturn['status'];

interface Actions {
  start: () => void;
  cancel: () => void;
  retry: () => void;
}

interface Empty {
  session?: undefined;
  claim?: undefined;
  methodology?: undefined;
  error?: undefined;
  inquiryProps?: undefined;
}

/** One member per status, so `Extract<…, { status: 'idle' }>` narrows to a single state. */
type PerStatus<S extends string, Fields> = S extends unknown ? Actions & Fields & { status: S } : never;

/** What `useRelayClaim` returns, discriminated on `status`. */
export type UseRelayClaimReturn =
  | PerStatus<'idle' | 'creating', Empty>
  | PerStatus<'inquiry', Omit<Empty, 'session' | 'inquiryProps'> & { session: RelaySessionInfo; inquiryProps: RelayInquiryProps; tokenReady: boolean }>
  | PerStatus<'verifying', Omit<Empty, 'session'> & { session: RelaySessionInfo }>
  | PerStatus<
      'passed' | 'failed',
      Omit<Empty, 'session' | 'claim' | 'methodology'> & {
        session: RelaySessionInfo;
        claim: RelayClaim;
        /** Undefined when the claim type's configuration hides it. */
        methodology: MethodologyCalculation[] | undefined;
      }
    >
  | PerStatus<'canceled' | 'expired', Omit<Empty, 'session'> & { session: RelaySessionInfo | undefined }>
  | PerStatus<'error', Omit<Empty, 'session' | 'error'> & { session: RelaySessionInfo | undefined; error: RelayError }>;
