import { QueryClient, QueryClientContext, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { createRelayClient, type RelayClient } from '../core/client.ts';
import { en, mergeMessages, type RelayMessages } from '../ui/messages.ts';

/** Props of `RelayProvider`. */
export interface RelayProviderProps {
  /** The app backend's relay routes, e.g. `/api/relay`. */
  baseUrl: string;
  /** Reused when given; otherwise the one already provided above, otherwise a private one. */
  queryClient?: QueryClient;
  /** Injected fetch (tests, Storybook); tokens are then made in-thread. */
  fetch?: typeof fetch;
  /** The hosted inquiry page: the emulator's `/persona/relay` or Persona's hosted URL. */
  inquiry?: { url: string };
  /** Strings for every view; a locale such as `de` or a partial override of English. */
  messages?: Partial<RelayMessages>;
  children?: ReactNode;
}

/** What the hook and the views read from the provider. */
export interface RelayContextValue {
  client: RelayClient;
  queryClient: QueryClient;
  inquiryUrl: string;
  messages: RelayMessages;
}

const RelayContext = createContext<RelayContextValue | undefined>(undefined);

/** The emulator's hosted page path; apps on Persona pass their hosted URL as `inquiry.url`. */
const defaultInquiryUrl = '/persona/relay';

/** Makes the backend client, the query client and the strings available to `useRelayClaim` and `RelayVerification`. */
export function RelayProvider({ baseUrl, queryClient, fetch: fetchImpl, inquiry, messages, children }: RelayProviderProps) {
  const outer = useContext(QueryClientContext);
  // Created once per provider, and only when neither the props nor the tree supply one.
  const [own] = useState(() => (queryClient ?? outer ? undefined : new QueryClient()));
  const client = useMemo(() => createRelayClient({ baseUrl, ...(fetchImpl ? { fetch: fetchImpl } : {}) }), [baseUrl, fetchImpl]);
  const resolved = queryClient ?? outer ?? own;
  const inquiryUrl = inquiry?.url ?? defaultInquiryUrl;
  const merged = useMemo(() => mergeMessages(en, messages), [messages]);
  const value = useMemo(() => (resolved ? { client, queryClient: resolved, inquiryUrl, messages: merged } : undefined), [client, resolved, inquiryUrl, merged]);
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
