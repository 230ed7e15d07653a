/**
 * relay-claim-kit: the React kit — `RelayProvider`, the headless `useRelayClaim` hook, the
 * `RelayVerification` embed and `relayClaimQueryOptions` for apps that poll with their own `useQuery`.
 */
export { RelayProvider, useRelayContext, type RelayContextValue, type RelayProviderProps } from './react/RelayProvider.tsx';
export { useRelayClaim } from './react/useRelayClaim.ts';
export { relayClaimQueryOptions } from './react/relayClaimQueryOptions.ts';
export type { RelayInquiryProps, UseRelayClaimEvent, UseRelayClaimOptions, UseRelayClaimReturn, UseRelayClaimStatus } from './react/types.ts';
export { RelayVerification, type RelayComponents, type RelayRenderers, type RelayStateOf, type RelayVerificationProps } from './ui/RelayVerification.tsx';
export { MethodologyList, type MethodologyListProps } from './ui/MethodologyList.tsx';
export { de, en, es, fr, it, localeFor, locales, mergeMessages, ptBR, type RelayLocale, type RelayMessages } from './i18n/messages.ts';
export { claimLabel, methodLabel } from './i18n/claimLabel.ts';
export { pluralForm, type PluralMessage } from './i18n/plural.ts';
export { StatusMark, type StatusMarkKind, type StatusMarkProps } from './ui/StatusMark.tsx';
export { RelayApiError, RelayError, RelayNetworkError, RelayProtocolError, RelayTimeoutError, type RelayErrorCode } from './wire/errors.ts';
export type { RelayFlowEvent, RelayFlowSnapshot } from './core/flowState.ts';
export type { RelayWidget, RelayWidgetConstructor, RelayWidgetError, RelayWidgetOptions, RelayWidgetTheme } from './core/widget.ts';
export type { MethodologyCalculation, RelayClaim, RelaySessionInfo, RelaySessionState, RelaySessionStatus, TokenProtocol } from './wire/types.ts';
