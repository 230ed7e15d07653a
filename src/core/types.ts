/** The backend's session types are the wire contract's; re-exported for core's users. */
export type {
  MethodologyCalculation,
  RelayClaim,
  RelaySessionError,
  RelaySessionInfo,
  RelaySessionState,
  RelaySessionStatus,
  TokenProtocol,
} from '../wire/types.ts';

/** What Persona's widget reported through its callbacks: `onComplete`, `onExpire`, `onError({ code, message? })`. */
export type InquiryEvent = { type: 'complete' } | { type: 'expire' } | { type: 'error'; code: string; message?: string };
