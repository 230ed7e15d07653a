import { QueryClient, QueryClientContext, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { createRelayClient, type RelayClient } from '../core/client.ts';
import type { RelayWidgetConstructor } from '../core/widget.ts';
import { en, mergeMessages, type RelayMessages } from '../i18n/messages.ts';

/** Props of `RelayProvider`. */
export interface RelayProviderProps {
  /** The app backend's relay routes, e.g. `/api/relay`. */
  baseUrl: string;
  /** Reused when given; otherwise the one already provided above, otherwise a private one. */
  queryClient?: QueryClient;
  /** Injected fetch (tests, Storybook); tokens are then made in-thread. */
  fetch?: typeof fetch;
  /**
   * Persona's widget class: `Relay` from `@persona/relay`, or `EmulatorRelay` from
   * `relay-claim-kit/emulator/widget` against the local emulator. Required: the kit never guesses a page.
   */
  widget: RelayWidgetConstructor;
  /** Strings for every view; a locale such as `de` or a partial override of English. */
  messages?: Partial<RelayMessages>;
  /**
   * The issuer_name every Privacy Pass challenge must carry; default Persona's
   * (`withpersona.com/api/v1/privacy-passes`). Against the emulator: its host + `/api/v1/privacy-passes`.
   */
  expectedIssuer?: string;
  children?: ReactNode;
}

/** What the hook and the views read from the provider. */
export interface RelayContextValue {
  client: RelayClient;
  queryClient: QueryClient;
  widget: RelayWidgetConstructor;
  messages: RelayMessages;
  expectedIssuer: string | undefined;
}

const RelayContext = createContext<RelayContextValue | undefined>(undefined);

/** Makes the backend client, the query client and the strings available to `useRelayClaim` and `RelayVerification`. */
export function RelayProvider({ baseUrl, queryClient, fetch: fetchImpl, widget, messages, expectedIssuer, children }: RelayProviderProps) {
  // Before any hook or child runs, so a provider without a widget creates no relay at all.
  if (typeof widget !== 'function') {
    throw new TypeError(
      "relay-claim-kit: <RelayProvider> needs widget={Relay} (import Relay from '@persona/relay'), or widget={EmulatorRelay} from 'relay-claim-kit/emulator/widget' against the local emulator",
    );
  }
  const outer = useContext(QueryClientContext);
  // Created once per provider, and only when neither the props nor the tree supply one.
  const [own] = useState(() => (queryClient ?? outer ? undefined : new QueryClient()));
  const client = useMemo(() => createRelayClient({ baseUrl, ...(fetchImpl ? { fetch: fetchImpl } : {}) }), [baseUrl, fetchImpl]);
  const resolved = queryClient ?? outer ?? own;
  const merged = useMemo(() => mergeMessages(en, messages), [messages]);
  const value = useMemo(
    () => (resolved ? { client, queryClient: resolved, widget, messages: merged, expectedIssuer } : undefined),
    [client, resolved, widget, merged, expectedIssuer],
  );
  const tree = <RelayContext.Provider value={value}>{children}</RelayContext.Provider>;
  // The private or given client must be mounted (focus/online managers) and visible to the app's own hooks below.
  return resolved && resolved !== outer ? <QueryClientProvider client={resolved}>{tree}</QueryClientProvider> : tree;
}

/** The provider's value; throws a clear error when `RelayProvider` is missing. */
export function useRelayContext(): RelayContextValue {
  const value = useContext(RelayContext);
  if (!value) throw new Error('relay-claim-kit: wrap the component in <RelayProvider baseUrl="…">');
  return value;
}
