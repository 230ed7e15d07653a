/** The error family lives in the wire contract (shared with the worker and the server); re-exported for core's users. */
export {
  RelayApiError,
  RelayError,
  RelayNetworkError,
  RelayProtocolError,
  RelayTimeoutError,
  isRelayErrorCode,
  type RelayErrorCode,
  type RelayErrorInit,
} from '../wire/errors.ts';
